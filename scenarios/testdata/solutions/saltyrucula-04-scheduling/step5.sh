cat <<'YAML' | kubectl apply -f -
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: critical-medium
value: 100000
globalDefault: false
---
apiVersion: v1
kind: Pod
metadata:
  name: priority-pod
  namespace: schedule
spec:
  priorityClassName: critical-medium
  containers:
  - name: nginx
    image: nginx:1.27
YAML
