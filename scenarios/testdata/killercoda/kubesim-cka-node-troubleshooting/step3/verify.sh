#!/bin/bash
test -f /opt/etcd-backup.db && etcdutl snapshot status /opt/etcd-backup.db >/dev/null
