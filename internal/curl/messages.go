package curl

import (
	"fmt"
	"time"
)

// Exit codes (curl's CURLcode values the simulation can produce).
const (
	exitOK               = 0
	exitUnsupported      = 1  // CURLE_UNSUPPORTED_PROTOCOL
	exitUsage            = 2  // CURLE_FAILED_INIT (command-line errors)
	exitURLMalformed     = 3  // CURLE_URL_MALFORMAT
	exitResolve          = 6  // CURLE_COULDNT_RESOLVE_HOST
	exitConnect          = 7  // CURLE_COULDNT_CONNECT
	exitHTTPError        = 22 // CURLE_HTTP_RETURNED_ERROR
	exitWrite            = 23 // CURLE_WRITE_ERROR
	exitTimeout          = 28 // CURLE_OPERATION_TIMEDOUT
	exitSSLConnect       = 35 // CURLE_SSL_CONNECT_ERROR
	exitTooManyRedirects = 47 // CURLE_TOO_MANY_REDIRECTS
	exitGotNothing       = 52 // CURLE_GOT_NOTHING
	exitPeerFailed       = 60 // CURLE_PEER_FAILED_VERIFICATION
)

// synTimeout is how long Linux keeps retrying a SYN nobody answers before
// connect() fails with ETIMEDOUT: tcp_syn_retries = 6, initial RTO 1 s,
// doubling: 1+2+4+8+16+32+64 s.
const synTimeout = 127 * time.Second

// dialect is one curl version's wording.
type dialect struct {
	version   string
	userAgent string
	// connected is the -v line after the TCP connect.
	connected func(host, ip string, port int) string
	// markBundle: 7.x prints "* Mark bundle as not supporting multiuse"
	// before the response of an HTTP/1.1 request.
	markBundle bool
	closing    string
	// connectFailed is the failf text when connect() reports an errno.
	connectFailed func(host string, port int, after time.Duration, oserr string) string
	// connectTimeout is the failf text when curl's own timer expires while
	// connecting.
	connectTimeout func(host string, port int, after time.Duration) string
	// urlError is the message for a URL the parser rejects.
	urlError func(reason error) string
	// urlFailf: the URL error goes through failf (so -v shows it too).
	urlFailf bool
	// sslWrongVersion is what an https request to a plain-HTTP port gets.
	sslWrongVersion string
	versionText     string
}

var dialects = map[string]*dialect{
	"7.81.0": {
		version:   "7.81.0",
		userAgent: "curl/7.81.0",
		connected: func(host, ip string, port int) string {
			return fmt.Sprintf("Connected to %s (%s) port %d (#0)", host, ip, port)
		},
		markBundle: true,
		closing:    "Closing connection 0",
		connectFailed: func(host string, port int, after time.Duration, oserr string) string {
			return fmt.Sprintf("Failed to connect to %s port %d after %d ms: %s", host, port, after.Milliseconds(), oserr)
		},
		connectTimeout: func(host string, port int, after time.Duration) string {
			return fmt.Sprintf("Connection timed out after %d milliseconds", after.Milliseconds())
		},
		urlError: func(error) string { return "URL using bad/illegal format or missing URL" },
		// OpenSSL 3.0 (Ubuntu 22.04) error string for a non-TLS answer.
		sslWrongVersion: "error:0A00010B:SSL routines::wrong version number",
		// `curl -V` of Ubuntu 22.04's 7.81.0-1ubuntu1 as posted by users in
		// 2023 (the OpenLDAP patch level moves with updates: 2.5.13–2.5.20
		// are all seen).
		versionText: "curl 7.81.0 (x86_64-pc-linux-gnu) libcurl/7.81.0 OpenSSL/3.0.2 zlib/1.2.11 brotli/1.0.9 zstd/1.4.8 libidn2/2.3.2 libpsl/0.21.0 (+libidn2/2.3.2) libssh/0.9.6/openssl/zlib nghttp2/1.43.0 librtmp/2.3 OpenLDAP/2.5.16\n" +
			"Release-Date: 2022-01-05\n" +
			"Protocols: dict file ftp ftps gopher gophers http https imap imaps ldap ldaps mqtt pop3 pop3s rtmp rtsp scp sftp smb smbs smtp smtps telnet tftp \n" +
			"Features: alt-svc AsynchDNS brotli GSS-API HSTS HTTP2 HTTPS-proxy IDN IPv6 Kerberos Largefile libz NTLM NTLM_WB PSL SPNEGO SSL TLS-SRP UnixSockets zstd\n",
	},
	"8.5.0": {
		version:   "8.5.0",
		userAgent: "curl/8.5.0",
		connected: func(host, ip string, port int) string {
			return fmt.Sprintf("Connected to %s (%s) port %d", host, ip, port)
		},
		closing: "Closing connection",
		connectFailed: func(host string, port int, after time.Duration, _ string) string {
			return fmt.Sprintf("Failed to connect to %s port %d after %d ms: Couldn't connect to server", host, port, after.Milliseconds())
		},
		connectTimeout: func(host string, port int, after time.Duration) string {
			return fmt.Sprintf("Failed to connect to %s port %d after %d ms: Timeout was reached", host, port, after.Milliseconds())
		},
		urlError: func(reason error) string { return "URL rejected: " + reason.Error() },
		urlFailf: true,
		// `curl -V` of Ubuntu 24.04's 8.5.0-2ubuntu10.2 as posted by users.
		sslWrongVersion: "OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number",
		versionText: "curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0 OpenSSL/3.0.13 zlib/1.3 brotli/1.1.0 zstd/1.5.5 libidn2/2.3.7 libpsl/0.21.2 (+libidn2/2.3.7) libssh/0.10.6/openssl/zlib nghttp2/1.59.0 librtmp/2.3 OpenLDAP/2.6.7\n" +
			"Release-Date: 2023-12-06, security patched: 8.5.0-2ubuntu10.2\n" +
			"Protocols: dict file ftp ftps gopher gophers http https imap imaps ldap ldaps mqtt pop3 pop3s rtmp rtsp scp sftp smb smbs smtp smtps telnet tftp\n" +
			"Features: alt-svc AsynchDNS brotli GSS-API HSTS HTTP2 HTTPS-proxy IDN IPv6 Kerberos Largefile libz NTLM PSL SPNEGO SSL threadsafe TLS-SRP UnixSockets zstd\n",
	},
}

// The tool's own texts (src/tool_getparam.c, tool_helpers.c, tool_operate.c),
// the same in both versions.
const (
	tryHelp       = "curl: try 'curl --help' or 'curl --manual' for more information\n"
	noURL         = "curl: no URL specified!\n"
	sslCertLong   = "More details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.\n"
	sslCertReason = "SSL certificate problem: unable to get local issuer certificate"
)

// errnoText is strerror() on Linux for the errors the fabric produces.
var errnoText = map[string]string{
	"refused":     "Connection refused",
	"unreachable": "No route to host",
	"timedout":    "Connection timed out",
}

// usageText is the first lines of `curl --help` in both versions.
const usageText = "Usage: curl [options...] <url>\n" +
	" -d, --data <data>          HTTP POST data\n" +
	" -f, --fail                 Fail fast with no output on HTTP errors\n" +
	" -h, --help <category>      Get help for commands\n" +
	" -i, --include              Include protocol response headers in the output\n" +
	" -o, --output <file>        Write to file instead of stdout\n" +
	" -O, --remote-name          Write output to a file named as the remote file\n" +
	" -s, --silent               Silent mode\n" +
	" -T, --upload-file <file>   Transfer local FILE to destination\n" +
	" -u, --user <user:password> Server user and password\n" +
	" -A, --user-agent <name>    Send User-Agent <name> to server\n" +
	" -v, --verbose              Make the operation more talkative\n" +
	" -V, --version              Show version number and quit\n" +
	"\n" +
	"This is not the full help, this menu is stripped into categories.\n" +
	"Use \"--help category\" to get an overview of all categories.\n" +
	"For all options use the manual or \"--help all\".\n"
