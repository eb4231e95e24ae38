kubectl taint node controlplane dedicated=cka:NoSchedule
cat <<'YAML' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: tolerant
  namespace: schedule
spec:
  tolerations:
  - key: dedicated
    operator: Equal
    value: cka
    effect: NoSchedule
  containers:
  - name: nginx
    image: nginx:1.27
YAML
