kubectl -n ecommerce-platform scale deployment ecommerce-frontend-deployment --replicas=5
kubectl -n ecommerce-platform patch deployment ecommerce-frontend-deployment \
  -p '{"spec":{"template":{"metadata":{"labels":{"role":"webfrontend"}}}}}'
cat <<'YAML' | kubectl apply -f -
apiVersion: v1
kind: Service
metadata:
  name: ecommerce-frontend-service
  namespace: ecommerce-platform
spec:
  type: NodePort
  selector:
    app: ecommerce-frontend
  ports:
  - port: 8000
    targetPort: 80
    protocol: TCP
YAML
