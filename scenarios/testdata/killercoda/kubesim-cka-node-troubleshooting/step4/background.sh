#!/bin/bash
kubectl delete deployment important
