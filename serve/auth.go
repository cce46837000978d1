package serve

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// cookieName holds the token in the browser after the page was opened with ?token=.
const cookieName = "moneytrail_token"

// headerName carries the token on API requests. The API accepts the token only here, never
// from the cookie alone: a page of another site can make the browser send the cookie but
// cannot set this header (a cross-origin request with it needs a CORS preflight, which this
// server never grants), so no other site can read the case or write a note through the
// investigator's browser (cross-site request forgery).
const headerName = "X-API-Key"

// guard lets through only requests that carry the token, addressed to a loopback host name
// (so a rebound DNS name of another site cannot reach the server through the browser), and
// sets the headers that keep the page from loading anything from elsewhere.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if !s.allowRemote && !loopbackHost(r.Host) {
			s.refuse(w, r, http.StatusForbidden, "the workspace answers only at a loopback address (127.0.0.1, localhost, ::1), not at "+r.Host)
			return
		}
		api := strings.HasPrefix(r.URL.Path, "/api/")
		if api {
			if !s.valid(r.Header.Get(headerName)) {
				s.refuse(w, r, http.StatusUnauthorized, "this request carries no valid access token (header "+headerName+")")
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if t := r.URL.Query().Get("token"); t != "" && r.Method == http.MethodGet {
			if !s.valid(t) {
				s.refuse(w, r, http.StatusUnauthorized, "the token in this address is not this workspace's: open the address `moneytrail serve` printed")
				return
			}
			// The token moves to a cookie and out of the address bar and history.
			http.SetCookie(w, &http.Cookie{Name: cookieName, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			q := r.URL.Query()
			q.Del("token")
			r.URL.RawQuery = q.Encode()
			http.Redirect(w, r, r.URL.String(), http.StatusSeeOther)
			return
		}
		c, err := r.Cookie(cookieName)
		if err != nil || !s.valid(c.Value) {
			s.refuse(w, r, http.StatusUnauthorized, "open the address `moneytrail serve` printed, with its token")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.refuse(w, r, http.StatusMethodNotAllowed, "the page is read with GET; changes go through the API")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) valid(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.logf("refused %s %s from %s: %s", r.Method, r.URL.Path, r.RemoteAddr, msg)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeError(w, status, msg)
		return
	}
	http.Error(w, msg, status)
}

// loopbackHost reports whether a request's Host (name or name:port) is a loopback name.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
