#!/bin/bash
ssh node01 systemctl stop kubelet
# The node controller marks node01 NotReady 40 s after its last heartbeat.
sleep 60
