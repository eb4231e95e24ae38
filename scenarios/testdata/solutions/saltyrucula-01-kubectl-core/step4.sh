kubectl run web -n cka-lab --image=nginx:1.27 --labels=app=web
