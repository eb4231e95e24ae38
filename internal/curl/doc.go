// Package curl is the curl program: its command line, as learners and
// killercoda verify scripts use it, run as a client of the simulated
// network (net/fabric, the only network): curl's argument parser, its
// output (body, -i/-I headers, -v trace on stderr, the progress meter when
// the body does not go to a terminal, -w variables) and its exit codes and
// error texts, for one chosen curl version.
//
// It is a user-space tool, not part of the network: `kubesim curl` runs it
// on the control plane's host network, and a container shell's curl/wget
// applet can import the same parser and formatting to run it from a pod
// (Config.Client says where it runs).
//
// Versions. Config.Version picks the wording:
//
//   - "7.81.0" (default): Ubuntu 22.04's curl, what the lecture's kubeadm
//     VMs ran. Connect errors print the OS error text ("Connection
//     refused", "No route to host", "Connection timed out"): lib/connect.c
//     of that era calls failf("Failed to connect to %s port %u after %ld
//     ms: %s", …, Curl_strerror(error)) and turns ETIMEDOUT into exit 28;
//     a --connect-timeout/-m expiry while connecting is multi.c's
//     "Connection timed out after %ld milliseconds"; -f prints "The
//     requested URL returned error: %d" without the reason phrase (dropped
//     in 7.75.0, curl/curl#6615); a URL the parser rejects has no failf,
//     so the tool prints curl_easy_strerror(CURLE_URL_MALFORMAT), "URL
//     using bad/illegal format or missing URL".
//   - "8.5.0": Ubuntu 24.04's curl. Connect errors print
//     curl_easy_strerror(result), "Couldn't connect to server"; a connect
//     timeout reads "Failed to connect to … after N ms: Timeout was
//     reached"; URL errors go through failf("URL rejected: %s",
//     curl_url_strerror(uc)). The -v trace drops "(#0)" after "Connected
//     to" (newer lib/connect.c: "Connected to %s (%s) port %u") and
//     "Mark bundle as not supporting multiuse", and closes with "* Closing
//     connection"; the last two are from memory of 8.x output and less
//     certain than the 7.81 texts.
//
// Not simulated: TLS handshake lines under -v (https with -k answers
// without them), connection re-use lines across -L redirects and several
// URLs (each request prints its own "Trying"/"Connected"), --retry (parsed,
// never retries), the -# bar, cookies, proxies, HTTP/2.
//
// Time. Nothing waits. A connection that would hang is reported as failing
// after the --connect-timeout or -m value, or, with neither, after the
// kernel's SYN retries give up: 127 s (net.ipv4.tcp_syn_retries = 6 with
// a 1 s initial RTO: 1+2+4+8+16+32+64). An unreachable pod IP fails after
// fabric.ARPTimeout (3 s). Timeouts print the configured value exactly,
// where real curl is a millisecond or two late.
//
// It owns: argument parsing, URL parsing, the transfer over fabric.Conn,
// all output. It must not: open sockets, touch the real filesystem (files
// go through Config.OpenFile), read the wall clock or sleep.
package curl
