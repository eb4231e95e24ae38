kubectl label pod box -n cka-lab app=box tier=tools
