# The verify script wants args[0] == "3600", so the pod gets command
# ["sleep"] and args ["3600"]; `kubectl run box -- sleep 3600` would put
# both words into args and fail the check.
kubectl create namespace cka-lab
cat <<'YAML' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: box
  namespace: cka-lab
spec:
  containers:
  - name: box
    image: busybox:1.36
    command: ["sleep"]
    args: ["3600"]
YAML
