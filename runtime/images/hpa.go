package images

import "time"

// registry.k8s.io/hpa-example, the php-apache server of the Kubernetes
// documentation's HorizontalPodAutoscaler walkthrough: php:5-apache with an
// index.php that adds square roots a million times and prints "OK!" (the
// Dockerfile and index.php the walkthrough shows). Apache 2.4.10 and PHP 5.6 [guess: php:5-apache of 2016],
// its default site logging each request to stdout in the combined format.
var phpApacheServer = &serverSpec{
	Logs: []LogLine{
		errl(0, "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using ${IP}. Set the 'ServerName' directive globally to suppress this message"),
		errl(1*ms, "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using ${IP}. Set the 'ServerName' directive globally to suppress this message"),
		errl(2*ms, "[${T:Mon Jan 02 15:04:05.000000 2006}] [mpm_prefork:notice] [pid 1] AH00163: Apache/2.4.10 (Debian) PHP/5.6.23 configured -- resuming normal operations"),
		errl(2*ms, "[${T:Mon Jan 02 15:04:05.000000 2006}] [core:notice] [pid 1] AH00094: Command line: 'apache2 -D FOREGROUND'"),
	},
	Ports: map[int32]*httpSite{80: {
		Server:       "Apache/2.4.10 (Debian)",
		IndexPaths:   []string{"/", "/index.php"},
		Pages:        []versionedPage{{From: "0", Body: "hpa_ok.txt"}},
		NotFound:     "httpd_404.html",
		NotFoundType: "text/html; charset=iso-8859-1",
		AccessLog:    `${REMOTE} - - [${TIME}] "${REQUEST}" ${STATUS} ${BYTES} "-" "${UA}"`,
		// The load model: one request costs 10 ms of CPU [guess: calibrated so
		// that the walkthrough's load generator (a wget every ~20 ms)
		// keeps one php-apache pod at about 500m, its CPU limit, which is
		// the walkthrough's 250% of its 200m request].
		CPUPerRequest: 10 * time.Millisecond,
	}},
}

var hpaExampleRepo = &repoSpec{
	Repo:     "registry.k8s.io/hpa-example",
	Releases: []release{{"1.0", "2016-07-01"}}, // [guess]
	Floating: []string{"latest"},
	Size:     176_000_000, // [guess]
	Config: ImageConfig{
		Cmd:          []string{"apache2-foreground"},
		Env:          []string{defaultPath, "PHP_VERSION=5.6.23"},
		WorkingDir:   "/var/www/html",
		ExposedPorts: []int32{80},
	},
	Shell:    "dash",
	Binaries: map[string]program{"apache2-foreground": {Kind: progServer, Server: phpApacheServer}},
	Files:    withFiles(debianFiles, map[string]string{"/var/www/html/index.php": "<?php\n  $x = 0.0001;\n  for ($i = 0; $i <= 1000000; $i++) {\n    $x += sqrt($x);\n  }\n  echo \"OK!\";\n?>\n"}),
	Dirs:     withDirs(debianDirs, map[string][]string{"/var/www/html": {"index.php"}}),
}

func init() { builtinRepos = append(builtinRepos, hpaExampleRepo) }
