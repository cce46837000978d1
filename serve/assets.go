package serve

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
)

// assets are the page's files, all in the binary: the page loads nothing from elsewhere
// (the Content-Security-Policy of guard forbids it too).
//
//go:embed assets
var assets embed.FS

var indexPage = template.Must(template.ParseFS(assets, "assets/index.html"))

func (s *Server) assetRoutes(mux *http.ServeMux) {
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err)
	}
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", files))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The token goes into the page for its script to send in the API's header: another
		// site cannot read the page (same-origin policy), so it cannot learn the token.
		if err := indexPage.Execute(w, map[string]any{"Token": s.token, "Author": s.author}); err != nil {
			s.logf("render the page: %v", err)
		}
	})
}
