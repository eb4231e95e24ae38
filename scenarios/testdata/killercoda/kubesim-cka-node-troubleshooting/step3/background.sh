#!/bin/bash
kubectl create deployment important --image=nginx --replicas=2
