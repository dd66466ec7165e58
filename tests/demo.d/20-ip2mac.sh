# shellcheck shell=bash
# demo step: how groups map to Ethernet MACs, and why 32 share one
demo_step "ip2mac: which Ethernet MAC carries a group"
demo_run ip2mac 239.1.2.3 ff02::1
demo_run ip2mac --explain 225.1.2.3
demo_step "ip2mac: the classic pitfall, groups that flood together"
demo_run -x 1 ip2mac --check 224.0.0.1 239.0.0.1 239.128.0.1 239.1.2.3
demo_run ip2mac -v -j 239.255.255.250
