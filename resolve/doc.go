// Package resolve finds which parties of a case are one person or company: candidate pairs
// by blocking, scored with reasons, clustered, with the investigator's decisions replayed.
package resolve
