kubectl annotate pod box -n cka-lab owner=platform
