package images

import (
	"io/fs"
	"strings"
	"sync"

	"kubesim/runtime/containerfs"
)

// Userland names the image's shell and tools: "busybox" (busybox's
// applets as files in /bin), "alpine" (busybox, applets as symlinks),
// "debian" (dash as sh, bash, GNU coreutils) or "" (no shell: distroless,
// pause, control-plane images).
func (img *Image) Userland() string {
	switch {
	case img.spec.Shell == "busybox" && strings.HasSuffix(img.Repo, "/alpine"):
		return "alpine"
	case img.spec.Shell == "busybox":
		return "busybox"
	case img.spec.Shell == "dash":
		return "debian"
	}
	return ""
}

// BusyboxVersion is the busybox version of a busybox-based image (its
// nslookup and messages follow it), "" otherwise.
func (img *Image) BusyboxVersion() string {
	switch img.Userland() {
	case "busybox":
		return img.Version
	case "alpine":
		// Alpine 3.17 ships busybox 1.35, 3.18–3.19 1.36 [guess: from the
		// aports history as remembered]; both print the 1.29+ layouts.
		if compareVersions(img.Version, "3.18") < 0 {
			return "1.35.0"
		}
		return "1.36.1"
	}
	return ""
}

// The commands each userland has, by directory: these are what PATH
// finds, so `sh: ps: not found` in a Debian image comes from here.
var (
	// busyboxApplets are the applets runtime/shell implements; the busybox
	// image installs them as hard links of /bin/busybox in /bin.
	busyboxApplets = strings.Fields(`sh ash cat ls touch mkdir rmdir rm cp mv ln chmod grep egrep fgrep sed awk head tail wc
		sort uniq env printenv hostname id whoami date sleep test [ [[ true false kill ps df mount tar tee echo printf
		pwd uname basename dirname which readlink seq nproc wget nslookup nc ping stty tty`)
	// debianBin and debianUsrBin: coreutils, dash, bash, grep, sed, tar,
	// hostname, mount and procps' kill in Debian's usual places. Debian slim
	// images have no ps, wget, curl, nslookup, nc or ping.
	debianBin = strings.Fields(`bash dash cat chmod cp date df echo egrep false fgrep grep hostname kill ln ls mkdir
		mount mv pwd readlink rm rmdir sed sleep stty tar touch true uname`)
	debianUsrBin = strings.Fields(`[ awk basename dirname env head id nproc printenv seq sort tail tee test tty uniq wc whoami which`)
)

// Account files [guess: as remembered from the images; busybox's and
// alpine's group lists decide what `id` prints].
const (
	busyboxPasswd = "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nbin:x:2:2:bin:/bin:/bin/false\nsys:x:3:3:sys:/dev:/bin/false\nsync:x:4:100:sync:/bin:/bin/sync\nmail:x:8:8:mail:/var/spool/mail:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\noperator:x:37:37:Operator:/var:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
	busyboxGroup  = "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nlp:x:7:\nmail:x:8:\nkmem:x:9:\nwheel:x:10:root\ncdrom:x:11:\ndialout:x:18:\nfloppy:x:19:\nvideo:x:28:\naudio:x:29:\ntape:x:32:\nwww-data:x:33:\noperator:x:37:\nutmp:x:43:\nplugdev:x:46:\nstaff:x:50:\nlock:x:54:\nnetdev:x:82:\nusers:x:100:\nnogroup:x:65534:\n"
	alpinePasswd  = "root:x:0:0:root:/root:/bin/ash\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\nadm:x:3:4:adm:/var/adm:/sbin/nologin\nlp:x:4:7:lp:/var/spool/lpd:/sbin/nologin\nsync:x:5:0:sync:/sbin:/bin/sync\nshutdown:x:6:0:shutdown:/sbin:/sbin/shutdown\nhalt:x:7:0:halt:/sbin:/sbin/halt\nmail:x:8:12:mail:/var/mail:/sbin/nologin\nnews:x:9:13:news:/usr/lib/news:/sbin/nologin\nuucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin\noperator:x:11:0:operator:/root:/sbin/nologin\nman:x:13:15:man:/usr/man:/sbin/nologin\npostmaster:x:14:12:postmaster:/var/mail:/sbin/nologin\ncron:x:16:16:cron:/var/spool/cron:/sbin/nologin\nftp:x:21:21::/var/lib/ftp:/sbin/nologin\nsshd:x:22:22:sshd:/dev/null:/sbin/nologin\nat:x:25:25:at:/var/spool/cron/atjobs:/sbin/nologin\nsquid:x:31:31:Squid:/var/cache/squid:/sbin/nologin\nxfs:x:33:33:X Font Server:/etc/X11/fs:/sbin/nologin\ngames:x:35:35:games:/usr/games:/sbin/nologin\ncyrus:x:85:12::/usr/cyrus:/sbin/nologin\nvpopmail:x:89:89::/var/vpopmail:/sbin/nologin\nntp:x:123:123:NTP:/var/empty:/sbin/nologin\nsmmsp:x:209:209:smmsp:/var/spool/mqueue:/sbin/nologin\nguest:x:405:100:guest:/dev/null:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n"
	alpineGroup   = "root:x:0:root\nbin:x:1:root,bin,daemon\ndaemon:x:2:root,bin,daemon\nsys:x:3:root,bin,adm\nadm:x:4:root,adm,daemon\ntty:x:5:\ndisk:x:6:root,adm\nlp:x:7:lp\nmem:x:8:\nkmem:x:9:\nwheel:x:10:root\nfloppy:x:11:root\nmail:x:12:mail\nnews:x:13:news\nuucp:x:14:uucp\nman:x:15:man\ncron:x:16:cron\nconsole:x:17:\naudio:x:18:\ncdrom:x:19:\ndialout:x:20:root\nftp:x:21:\nsshd:x:22:\ninput:x:23:\nat:x:25:at\ntape:x:26:root\nvideo:x:27:root\nnetdev:x:28:\nreadproc:x:30:\nsquid:x:31:squid\nxfs:x:33:xfs\nkvm:x:34:kvm\ngames:x:35:\nshadow:x:42:\ncdrw:x:80:\nwww-data:x:82:\nusers:x:100:games\nntp:x:123:ntp\nabuild:x:300:\nutmp:x:406:\nping:x:999:\nnogroup:x:65533:\nnobody:x:65534:\n"
	debianPasswd  = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\nsync:x:4:65534:sync:/bin:/bin/sync\ngames:x:5:60:games:/usr/games:/usr/sbin/nologin\nman:x:6:12:man:/var/cache/man:/usr/sbin/nologin\nlp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin\nmail:x:8:8:mail:/var/mail:/usr/sbin/nologin\nnews:x:9:9:news:/var/spool/news:/usr/sbin/nologin\nuucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin\nproxy:x:13:13:proxy:/bin:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nbackup:x:34:34:backup:/var/backups:/usr/sbin/nologin\nlist:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin\nirc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin\ngnats:x:41:41:Gnats Bug-Reporting System (admin):/var/lib/gnats:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n_apt:x:100:65534::/nonexistent:/usr/sbin/nologin\n"
	debianGroup   = "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nlp:x:7:\nmail:x:8:\nnews:x:9:\nuucp:x:10:\nman:x:12:\nproxy:x:13:\nkmem:x:15:\ndialout:x:20:\nfax:x:21:\nvoice:x:22:\ncdrom:x:24:\nfloppy:x:25:\ntape:x:26:\nsudo:x:27:\naudio:x:29:\ndip:x:30:\nwww-data:x:33:\nbackup:x:34:\noperator:x:37:\nlist:x:38:\nirc:x:39:\nsrc:x:40:\ngnats:x:41:\nshadow:x:42:\nutmp:x:43:\nvideo:x:44:\nsasl:x:45:\nplugdev:x:46:\nstaff:x:50:\ngames:x:60:\nusers:x:100:\nnogroup:x:65534:\n"
)

// nginxDefaultConf is the image's /etc/nginx/conf.d/default.conf with its
// comments left out [guess: layout from memory; directives from images.md
// §4.1].
const nginxDefaultConf = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`

// nginxConf is /etc/nginx/nginx.conf (images.md §4.1; layout [guess]).
const nginxConf = `
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
`

var layers sync.Map // image ID → *containerfs.Layer

// RootFS is the image's filesystem: its files as data, the userland's
// commands, the programs the catalog models. Every container of the image
// shares the one layer.
func (img *Image) RootFS() *containerfs.Layer {
	if l, ok := layers.Load(img.ID); ok {
		return l.(*containerfs.Layer)
	}
	l, _ := layers.LoadOrStore(img.ID, containerfs.NewLayer(img.rootEntries()))
	return l.(*containerfs.Layer)
}

func (img *Image) rootEntries() []containerfs.Entry {
	var es []containerfs.Entry
	add := func(e ...containerfs.Entry) { es = append(es, e...) }
	r := img.spec
	for _, d := range r.Dirs["/"] {
		add(containerfs.DirEntry("/" + d))
	}
	for dir, names := range r.Dirs {
		if dir == "/" {
			continue
		}
		add(containerfs.DirEntry(dir))
		for _, n := range names {
			if (strings.Contains(n, ".") && !strings.HasSuffix(n, ".d")) || strings.HasSuffix(n, "_params") {
				add(containerfs.FileEntry(dir+"/"+n, ""))
			} else {
				add(containerfs.DirEntry(dir + "/" + n))
			}
		}
	}
	userland := img.Userland()
	if userland != "" {
		add(containerfs.Entry{Path: "/tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777}, containerfs.Entry{Path: "/root", Mode: fs.ModeDir | 0o700})
	}
	switch userland {
	case "busybox":
		add(containerfs.ExecEntry("/bin/busybox", ""),
			containerfs.FileEntry("/etc/passwd", busyboxPasswd), containerfs.FileEntry("/etc/group", busyboxGroup))
		for _, a := range busyboxApplets {
			add(containerfs.ExecEntry("/bin/"+a, ""))
		}
	case "alpine":
		add(containerfs.ExecEntry("/bin/busybox", ""),
			containerfs.FileEntry("/etc/passwd", alpinePasswd), containerfs.FileEntry("/etc/group", alpineGroup),
			containerfs.FileEntry("/etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID="+img.Version+"\nPRETTY_NAME=\"Alpine Linux v"+majorMinor(img.Version)+"\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n"))
		for _, a := range busyboxApplets {
			add(containerfs.SymlinkEntry("/bin/"+a, "/bin/busybox"))
		}
	case "debian":
		add(containerfs.FileEntry("/etc/passwd", debianPasswd), containerfs.FileEntry("/etc/group", debianGroup))
		for _, a := range debianBin {
			add(containerfs.ExecEntry("/bin/"+a, ""))
		}
		add(containerfs.SymlinkEntry("/bin/sh", "dash"))
		for _, a := range debianUsrBin {
			add(containerfs.ExecEntry("/usr/bin/"+a, ""))
		}
	}
	for p, content := range r.Files {
		if strings.Contains(content, "${HOSTNAME}") {
			continue // /etc/hostname: the runtime mounts the pod's
		}
		add(containerfs.FileEntry(p, strings.ReplaceAll(content, "${VERSION}", img.Version)))
	}
	// The catalog's programs, where the image's entrypoint says they are,
	// else in /usr/local/bin.
	for name := range r.Binaries {
		p := "/usr/local/bin/" + name
		if strings.HasPrefix(name, "/") {
			p = name
		}
		for _, a := range append(append([]string(nil), r.Config.Entrypoint...), r.Config.Cmd...) {
			if strings.HasPrefix(a, "/") && strings.HasSuffix(a, "/"+name) {
				p = a
			}
		}
		if name == "nginx" {
			p = "/usr/sbin/nginx"
		}
		add(containerfs.ExecEntry(p, ""))
	}
	// Web servers' documents, as their handlers serve them.
	for _, srv := range []*serverSpec{httpdServer, nginxServer} {
		site := srv.Ports[80]
		if !img.runs(srv) {
			continue
		}
		var page *versionedPage
		for i := range site.Pages {
			if compareVersions(img.Version, site.Pages[i].From) >= 0 {
				page = &site.Pages[i]
			}
		}
		if page == nil {
			continue
		}
		if srv == nginxServer {
			add(containerfs.FileEntry("/usr/share/nginx/html/index.html", bodies[page.Body]),
				containerfs.FileEntry("/usr/share/nginx/html/50x.html", bodies["nginx_50x_497.html"]),
				containerfs.FileEntry("/etc/nginx/nginx.conf", nginxConf),
				containerfs.FileEntry("/etc/nginx/conf.d/default.conf", nginxDefaultConf))
		} else {
			add(containerfs.FileEntry("/usr/local/apache2/htdocs/index.html", bodies[page.Body]))
		}
	}
	return es
}

// runs reports whether one of the image's programs is the server.
func (img *Image) runs(s *serverSpec) bool {
	for _, p := range img.spec.Binaries {
		if p.Server == s {
			return true
		}
	}
	return false
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// MemoryBase is what a container of the image uses before its programs
// allocate anything: its shell and PID 1 [guess: about 1 MiB for a busybox
// sh, 4 MiB for Debian's dash and coreutils].
func (img *Image) MemoryBase() int64 {
	switch img.Userland() {
	case "busybox", "alpine":
		return 1 << 20
	case "debian":
		return 4 << 20
	}
	return 0
}
