# peers.bash - real TFTP servers from Debian for the tftm-get suite and bench:
# atftpd (an installed package, .ci/packages/tftm-get.txt) and tftpd-hpa,
# which conflicts with atftpd as a package (both ship /usr/sbin/in.tftpd), so
# its .deb is unpacked privately under build/peers/ once and reused.
# shellcheck shell=bash

# peers_hpa: print the path of tftpd-hpa's in.tftpd, fetching it if needed.
peers_hpa() {
	local dir=${TOP:?}/build/peers/tftpd-hpa bin
	bin=$dir/root/usr/sbin/in.tftpd
	if [[ ! -x $bin ]]; then
		mkdir -p "$dir" || return 1
		# apt runs the download as _apt: let it write there
		chmod 0777 "$dir"
		(cd "$dir" && rm -f ./*.deb &&
			{ apt-get download -qq tftpd-hpa 2>/dev/null ||
				{ apt-get update -qq && apt-get download -qq tftpd-hpa; }; } &&
			mkdir -p root &&
			# only the binary: make's `find build -name '*.d'` must
			# not meet the package's etc/init.d
			dpkg --fsys-tarfile tftpd-hpa_*.deb |
			tar -x -C root ./usr/sbin/in.tftpd && rm -f ./*.deb) >&2 ||
			return 1
	fi
	[[ -x $bin ]] && echo "$bin"
}

# peers_atftpd_start NAME HOST DIR [ARGS...]: atftpd on HOST's address, in the
# foreground (tracked by bg NAME), multicast groups 239.255.0.0-3 on port
# 1758, TTL 1, 1 s retry timeout, tracing into $BATS_TEST_TMPDIR/NAME.log.
# Waits until it listens. PEERS_QUIET=1: no trace (benchmarks).
peers_atftpd_start() {
	local name=$1 h=$2 dir=$3 log trace=(--verbose=7 --trace)
	shift 3
	log=$BATS_TEST_TMPDIR/$name.log
	[[ -z ${PEERS_QUIET:-} ]] || trace=(--verbose=3)
	# atftpd opens its log after dropping privileges
	: >"$log" && chmod 0666 "$log"
	bg "$name" ip netns exec "$MCB_NS-$h" atftpd --daemon --no-fork --user root --group root \
		--port 69 --bind-address "$(net_addr "$h")" \
		--mcast-addr 239.255.0.0-3 --mcast-port 1758 --mcast-ttl 1 \
		--retry-timeout 1 "${trace[@]}" --logfile "$log" \
		"$@" "$dir"
	wait_for 5 peers_listening "$h" 69
}

# peers_hpa_start NAME HOST DIR [ARGS...]: tftpd-hpa in the foreground on
# HOST:69 serving DIR (chrooted), logging to syslog only.
peers_hpa_start() {
	local name=$1 h=$2 dir=$3 bin
	shift 3
	bin=$(peers_hpa) || return 1
	bg "$name" ip netns exec "$MCB_NS-$h" "$bin" --foreground --address "$(net_addr "$h"):69" \
		--user root --permissive --secure "$@" "$dir"
	wait_for 5 peers_listening "$h" 69
}

# peers_listening HOST PORT: a UDP socket is bound to PORT in HOST.
peers_listening() {
	nsx "$1" ss -Hlun "sport = :$2" | grep -q .
}

# peers_mkfile PATH SIZE: a file of SIZE bytes of varied content.
peers_mkfile() {
	head -c "$2" /dev/urandom >"$1"
	chmod 0644 "$1"
}

# peers_tftm_get NAME HOST ARGS...: tftm-get in HOST, in the directory
# $T/NAME (where it writes the file), in the background as bg job NAME.
peers_tftm_get() {
	local name=$1 h=$2
	shift 2
	mkdir -p "$T/$name"
	bg "$name" ip netns exec "$MCB_NS-$h" bash -c 'cd "$1" && shift && exec "$@"' _ \
		"$T/$name" "$MCBOX" tftm-get "$@"
}
