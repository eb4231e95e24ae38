package server

import (
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// KubeconfigPath is where kind and minikube write: the first path of
// $KUBECONFIG, else ~/.kube/config.
func KubeconfigPath() string {
	if v := os.Getenv("KUBECONFIG"); v != "" {
		return filepath.SplitList(v)[0]
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".kube", "config")
}

// WriteContext adds (or replaces) the named context, cluster and user in the
// kubeconfig at path and makes it current.
func WriteContext(path, name, server string, creds *Credentials) error {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		if !os.IsNotExist(err) {
			return err
		}
		cfg = clientcmdapi.NewConfig()
	}
	cluster := clientcmdapi.NewCluster()
	cluster.Server = "https://" + server
	cluster.CertificateAuthorityData = creds.CAPEM
	user := clientcmdapi.NewAuthInfo()
	user.Token = creds.Token
	ctx := clientcmdapi.NewContext()
	ctx.Cluster, ctx.AuthInfo, ctx.Namespace = name, name, "default"
	cfg.Clusters[name], cfg.AuthInfos[name], cfg.Contexts[name] = cluster, user, ctx
	cfg.CurrentContext = name
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	// The file is about to hold a bearer token: owner only, whatever mode
	// it had (clientcmd creates a new file 0600 but keeps an existing
	// file's mode), and before the token is in it.
	if err := os.Chmod(path, 0o600); err != nil && !os.IsNotExist(err) {
		return err
	}
	return clientcmd.WriteToFile(*cfg, path)
}

// RemoveContext deletes the named context, cluster and user.
func RemoveContext(path, name string) error {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	delete(cfg.Clusters, name)
	delete(cfg.AuthInfos, name)
	delete(cfg.Contexts, name)
	if cfg.CurrentContext == name {
		cfg.CurrentContext = ""
	}
	return clientcmd.WriteToFile(*cfg, path)
}
