kubectl label node controlplane disk=ssd
