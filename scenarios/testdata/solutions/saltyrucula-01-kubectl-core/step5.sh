# --wait=false: sleep as PID 1 ignores SIGTERM, so the pod takes its full
# 30 s grace period; the test runner's settle time covers it.
kubectl delete pod -n cka-lab -l app=box --wait=false
