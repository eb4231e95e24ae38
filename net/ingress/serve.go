package ingress

import (
	"errors"
	"net/http"
	"net/netip"
	"strconv"

	"kubesim/net/fabric"
)

// Handler is the controller's listener (port 80, and 443 behind TLS) as a
// fabric handler: it routes each request, proxies it from the
// controller's own address (from) to a backend endpoint of the chosen
// Service over f, and answers nginx's error pages when it cannot.
func (c *Controller) Handler(f *fabric.Fabric, from netip.Addr) fabric.Handler {
	return func(req fabric.Request) fabric.Response {
		b, ok := c.Route(req.Host, req.Path)
		if !ok {
			return errorResponse(req, http.StatusNotFound)
		}
		backends, _ := f.ServiceBackends(b.Namespace, b.Service, b.Port)
		if b.Port == 0 || len(backends) == 0 {
			return errorResponse(req, http.StatusServiceUnavailable)
		}
		be := backends[c.Next(b, len(backends))]
		out := req
		out.Header = append(append([]fabric.Field(nil), req.Header...),
			fabric.Field{Name: "X-Forwarded-For", Value: req.From.String()},
			fabric.Field{Name: "X-Forwarded-Host", Value: req.Host},
			fabric.Field{Name: "X-Forwarded-Port", Value: strconv.Itoa(int(req.Port))},
			fabric.Field{Name: "X-Forwarded-Proto", Value: scheme(req.TLS)},
			fabric.Field{Name: "X-Real-IP", Value: req.From.String()})
		cn, err := f.Dial(fabric.Client{Addr: from}, be.IP, be.Port)
		switch {
		case errors.Is(err, fabric.ErrRefused):
			return errorResponse(req, http.StatusBadGateway)
		case err != nil:
			return errorResponse(req, http.StatusGatewayTimeout)
		}
		resp := cn.Do(out)
		// nginx hides the upstream's Server header and sends its own.
		h := []fabric.Field{{Name: "Server", Value: "nginx"}}
		for _, fl := range resp.Header {
			if fl.Name != "Server" {
				h = append(h, fl)
			}
		}
		resp.Header = h
		return resp
	}
}

func scheme(tls bool) string {
	if tls {
		return "https"
	}
	return "http"
}

func errorResponse(req fabric.Request, status int) fabric.Response {
	body := ErrorPage(status)
	return fabric.Response{Status: status, Reason: reason(status), Header: []fabric.Field{
		{Name: "Server", Value: "nginx"},
		{Name: "Date", Value: req.Time.UTC().Format(http.TimeFormat)},
		{Name: "Content-Type", Value: "text/html"},
		{Name: "Content-Length", Value: strconv.Itoa(len(body))},
		{Name: "Connection", Value: "keep-alive"},
	}, Body: body}
}
