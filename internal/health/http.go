package health

import (
	"fmt"
	"net/http"
	"strings"
)

// Routes serves GET /readyz and GET /livez on mux. Both answer 200 "ok" or
// 503 with the reason; /readyz?verbose lists every check, as the
// kube-apiserver's does.
func (p *Probe) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		err := p.Ready()
		if _, verbose := r.URL.Query()["verbose"]; verbose {
			body := strings.Join(p.Status(), "\n") + "\n"
			if err != nil {
				http.Error(w, body+"readyz check failed", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprint(w, body+"readyz check passed\n")
			return
		}
		answer(w, err)
	})
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) { answer(w, p.Live()) })
}

func answer(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprint(w, "ok\n")
}
