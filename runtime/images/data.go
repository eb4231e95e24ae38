package images

import (
	"embed"
	"time"
)

// Byte-exact bodies from shared/reference/image-bodies (images.md §10), plus
// nginx_index_612.html: the pre-1.21 welcome page [guess: from memory; its
// size matches the 612-byte Content-Length old nginx images served].
//
//go:embed bodies/*.html
var bodyFS embed.FS

var bodies = func() map[string]string {
	m := map[string]string{}
	entries, _ := bodyFS.ReadDir("bodies")
	for _, e := range entries {
		b, _ := bodyFS.ReadFile("bodies/" + e.Name())
		m[e.Name()] = string(b)
	}
	// The nginx 404 page names the version: swap it for a placeholder.
	m["nginx_404.html"] = replaceOnce(m["nginx_404_1.27.4.html"], "nginx/1.27.4", "nginx/${VERSION}")
	return m
}()

func replaceOnce(s, old, repl string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + repl + s[i+len(old):]
		}
	}
	return s
}

type progKind int

const (
	progShell      progKind = iota // a shell or one of its builtins: behaviour in shell.go
	progServer                     // a long-running server: serverSpec
	progEntrypoint                 // docker-entrypoint.sh: starts the server when $1 is in Runs, else execs "$@"
	progForever                    // runs silently until killed, exits 0 on its signal (pause)
)

type program struct {
	Kind    progKind
	Server  *serverSpec
	Runs    []string
	Prelude []LogLine
}

// serverSpec is a server process as data.
type serverSpec struct {
	// RESPPort, when set, is the port the server speaks redis's protocol on
	// (resp.go).
	RESPPort  int32
	Logs      []LogLine
	Requires  []envRequirement
	Ports     map[int32]*httpSite
	StopAfter time.Duration
	StopLogs  []LogLine
}

// envRequirement: when none of AnyOf is set, print Logs and exit with Code.
type envRequirement struct {
	AnyOf []string
	Logs  []LogLine
	Code  int
}

type versionedPage struct {
	From         string // first version serving Body
	Body         string // key in bodies
	LastModified string
	ETag         string
}

type httpSite struct {
	Server       string // Server header template
	IndexPaths   []string
	Pages        []versionedPage // ascending by From
	NotFound     string          // key in bodies (templated)
	NotFoundType string
	KeepAlive    bool // nginx sends Connection: keep-alive; httpd does not to curl
	// AccessLog is the per-request stdout line: ${REMOTE} ${TIME} ${REQUEST}
	// ${STATUS} ${BYTES} ${UA}. DashForZero prints "-" for 0 bytes (httpd %b).
	AccessLog   string
	DashForZero bool
	// CPUPerRequest is the CPU time answering one request costs the
	// server (the metrics pipeline's load model, usage.go).
	CPUPerRequest time.Duration
}

func out(off time.Duration, text string) LogLine {
	return LogLine{Offset: off, Stream: Stdout, Text: text}
}
func errl(off time.Duration, text string) LogLine {
	return LogLine{Offset: off, Stream: Stderr, Text: text}
}

const ms = time.Millisecond

// Log texts: images.md §3.4 (httpd), §4.4 (nginx), §6 (redis), §7 (postgres),
// §8 (mysql). Millisecond offsets between lines are [guess].
var httpdServer = &serverSpec{
	Logs: []LogLine{
		errl(0, "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${IP}. Set the 'ServerName' directive globally to suppress this message"),
		errl(1*ms, "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${IP}. Set the 'ServerName' directive globally to suppress this message"),
		errl(2*ms, "[${T:Mon Jan 02 15:04:05.000000 2006}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/${VERSION} (Unix) configured -- resuming normal operations"),
		errl(2*ms, "[${T:Mon Jan 02 15:04:05.000000 2006}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'"),
	},
	Ports: map[int32]*httpSite{80: {
		Server:     "Apache/${VERSION} (Unix)",
		IndexPaths: []string{"/", "/index.html"},
		Pages: []versionedPage{
			{From: "2.4.0", Body: "httpd_index_45.html", LastModified: "Mon, 11 Jun 2007 18:53:14 GMT", ETag: `"2d-432a5e4a73a80"`},
			// First shipped in 2.4.66 [guess, images.md §3.2(b)].
			{From: "2.4.66", Body: "httpd_index_191.html", LastModified: "Fri, 07 Nov 2025 08:23:08 GMT", ETag: `"bf-642fce432f300"`},
		},
		NotFound:     "httpd_404.html",
		NotFoundType: "text/html; charset=iso-8859-1",
		AccessLog:    `${REMOTE} - - [${TIME}] "${REQUEST}" ${STATUS} ${BYTES}`, // LogFormat common
		DashForZero:  true,
	}},
	// SIGWINCH: graceful stop, an idle server exits in about 1–2 s with code 0 (images.md §3.5).
	StopAfter: 1 * time.Second,
	StopLogs: []LogLine{
		errl(0, "[${T:Mon Jan 02 15:04:05.000000 2006}] [mpm_event:notice] [pid 1:tid 1] AH00492: caught SIGWINCH, shutting down gracefully"),
	},
}

const nginxTime = "${T:2006/01/02 15:04:05}"

var nginxEntrypointPrelude = []LogLine{
	out(0, "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"),
	out(0, "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/"),
	out(1*ms, "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh"),
	out(2*ms, "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf"),
	out(4*ms, "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf"),
	out(5*ms, "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh"),
	out(5*ms, "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh"),
	out(7*ms, "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh"),
	out(8*ms, "/docker-entrypoint.sh: Configuration complete; ready for start up"),
}

var nginxServer = &serverSpec{
	Logs: []LogLine{
		errl(1*ms, nginxTime+` [notice] 1#1: using the "epoll" event method`),
		errl(1*ms, nginxTime+" [notice] 1#1: nginx/${VERSION}"),
		errl(1*ms, nginxTime+" [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) "),
		errl(1*ms, nginxTime+" [notice] 1#1: OS: Linux 5.15.0-69-generic"), // kernel: [guess, Ubuntu 22.04 of spring 2023]
		errl(1*ms, nginxTime+" [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576"),
		errl(1*ms, nginxTime+" [notice] 1#1: start worker processes"),
		errl(1*ms, nginxTime+" [notice] 1#1: start worker process 29"),
		errl(1*ms, nginxTime+" [notice] 1#1: start worker process 30"),
	},
	Ports: map[int32]*httpSite{80: {
		Server:     "nginx/${VERSION}",
		IndexPaths: []string{"/", "/index.html"},
		Pages: []versionedPage{
			{From: "1.0.0", Body: "nginx_index_612.html", LastModified: "Tue, 04 Dec 2018 14:44:49 GMT", ETag: `"5c0692e1-264"`},  // [guess]
			{From: "1.21.1", Body: "nginx_index_615.html", LastModified: "Tue, 28 Mar 2023 15:01:54 GMT", ETag: `"64230162-267"`}, // version boundary and mtime [guess]
			{From: "1.29.6", Body: "nginx_index_896.html", LastModified: "Tue, 07 Apr 2026 11:37:12 GMT", ETag: `"69d4ec68-380"`},
		},
		NotFound:     "nginx_404.html",
		NotFoundType: "text/html",
		KeepAlive:    true,
		AccessLog:    `${REMOTE} - - [${TIME}] "${REQUEST}" ${STATUS} ${BYTES} "-" "${UA}" "-"`, // log_format main
	}},
	StopLogs: []LogLine{
		errl(0, nginxTime+" [notice] 1#1: signal 3 (SIGQUIT) received, shutting down"),
		errl(0, nginxTime+" [notice] 29#29: gracefully shutting down"),
		errl(0, nginxTime+" [notice] 29#29: exiting"),
		errl(0, nginxTime+" [notice] 29#29: exit"),
		errl(0, nginxTime+" [notice] 1#1: signal 17 (SIGCHLD) received from 29"),
		errl(0, nginxTime+" [notice] 1#1: worker process 29 exited with code 0"),
		errl(0, nginxTime+" [notice] 1#1: exit"),
	},
}

const redisTime = "${T:02 Jan 2006 15:04:05.000}"

var redisServer = &serverSpec{
	RESPPort: 6379,
	Logs: []LogLine{
		out(0, "1:C "+redisTime+" * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
		out(0, "1:C "+redisTime+" * Redis version=${VERSION}, bits=64, commit=00000000, modified=0, pid=1, just started"),
		out(0, "1:C "+redisTime+" # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf"),
		out(1*ms, "1:M "+redisTime+" * monotonic clock: POSIX clock_gettime"),
		out(3*ms, "1:M "+redisTime+" * Running mode=standalone, port=6379."),
		out(3*ms, "1:M "+redisTime+" * Server initialized"),
		out(3*ms, "1:M "+redisTime+" * Ready to accept connections tcp"),
	},
	StopLogs: []LogLine{
		out(0, "1:signal-handler (${UNIX}) Received SIGTERM scheduling shutdown..."),
		out(50*ms, "1:M "+redisTime+" # User requested shutdown..."),
		out(50*ms, "1:M "+redisTime+" * Saving the final RDB snapshot before exiting."),
		out(52*ms, "1:M "+redisTime+" * DB saved on disk"),
		out(52*ms, "1:M "+redisTime+" # Redis is now ready to exit, bye bye..."),
	},
	StopAfter: 60 * ms,
}

var postgresMissingPassword = []LogLine{
	errl(0, "Error: Database is uninitialized and superuser password is not specified."),
	errl(0, "       You must specify POSTGRES_PASSWORD to a non-empty value for the"),
	errl(0, `       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".`),
	errl(0, ""),
	errl(0, `       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all`),
	errl(0, "       connections without a password. This is *not* recommended."),
	errl(0, ""),
	errl(0, `       See PostgreSQL documentation about "trust":`),
	errl(0, "       https://www.postgresql.org/docs/current/auth-trust.html"),
}

const pgTime = "${T:2006-01-02 15:04:05.000 UTC}"

var postgresServer = &serverSpec{
	Requires: []envRequirement{{AnyOf: []string{"POSTGRES_PASSWORD", "POSTGRES_HOST_AUTH_METHOD"}, Logs: postgresMissingPassword, Code: 1}},
	// First start, abbreviated to the lines learners look for (images.md §7).
	Logs: []LogLine{
		out(0, "The files belonging to this database system will be owned by user \"postgres\"."),
		out(1500*ms, "PostgreSQL init process complete; ready for start up."),
		out(1500*ms, ""),
		errl(1600*ms, pgTime+" [1] LOG:  starting PostgreSQL ${VERSION} on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit"),
		errl(1600*ms, pgTime+` [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432`),
		errl(1600*ms, pgTime+` [1] LOG:  listening on IPv6 address "::", port 5432`),
		errl(1610*ms, pgTime+` [1] LOG:  listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"`),
		errl(1630*ms, pgTime+" [1] LOG:  database system is ready to accept connections"),
	},
	StopLogs: []LogLine{
		errl(0, pgTime+" [1] LOG:  received fast shutdown request"),
		errl(0, pgTime+" [1] LOG:  aborting any active transactions"),
		errl(10*ms, pgTime+" [1] LOG:  database system is shut down"),
	},
	StopAfter: 100 * ms,
}

const mysqlTime = "${T:2006-01-02 15:04:05+00:00}"

var mysqlServer = &serverSpec{
	Requires: []envRequirement{{
		AnyOf: []string{"MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"},
		Logs: []LogLine{
			out(0, mysqlTime+" [Note] [Entrypoint]: Entrypoint script for MySQL Server ${VERSION}-1.el8 started."),
			out(50*ms, mysqlTime+" [Note] [Entrypoint]: Switching to dedicated user 'mysql'"),
			out(100*ms, mysqlTime+" [Note] [Entrypoint]: Entrypoint script for MySQL Server ${VERSION}-1.el8 started."),
			errl(150*ms, mysqlTime+" [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified"),
			errl(150*ms, "    You need to specify one of the following as an environment variable:"),
			errl(150*ms, "    - MYSQL_ROOT_PASSWORD"),
			errl(150*ms, "    - MYSQL_ALLOW_EMPTY_PASSWORD"),
			errl(150*ms, "    - MYSQL_RANDOM_ROOT_PASSWORD"),
		},
		Code: 1,
	}},
	Logs: []LogLine{
		out(0, mysqlTime+" [Note] [Entrypoint]: Entrypoint script for MySQL Server ${VERSION}-1.el8 started."),
		out(8*time.Second, mysqlTime+" [Note] [Entrypoint]: MySQL init process done. Ready for start up."),
		errl(9*time.Second, "${T:2006-01-02T15:04:05.000000Z} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '${VERSION}'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL."),
	},
	StopAfter: 2 * time.Second,
}

// systemServer: control-plane and add-on images. They run until stopped; their
// real logs are long and versioned, and are not modelled (empty logs).
var systemServer = &serverSpec{StopAfter: 100 * ms}

var debianFiles = map[string]string{
	"/etc/hostname":   "${HOSTNAME}\n",
	"/etc/os-release": "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"11\"\nVERSION=\"11 (bullseye)\"\nVERSION_CODENAME=bullseye\nID=debian\nHOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n",
}

var debianDirs = map[string][]string{
	"/": {"bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"},
}

func withFiles(base map[string]string, extra map[string]string) map[string]string {
	m := make(map[string]string, len(base)+len(extra))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func withDirs(base map[string][]string, extra map[string][]string) map[string][]string {
	m := make(map[string][]string, len(base)+len(extra))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// builtinRepos is the catalog: catalog.yaml's repositories (catalogfile.go)
// and those built in Go (hpa.go).
var builtinRepos = mustParseCatalog()
