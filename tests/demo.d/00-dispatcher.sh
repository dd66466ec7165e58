# shellcheck shell=bash
# demo step: one binary, many applets
demo_step "One binary: mcbox APPLET, or a link named after the applet"
demo_run mcbox --list
demo_run mcbox --version
demo_run ip2mac --help
