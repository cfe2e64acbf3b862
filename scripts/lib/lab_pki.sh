# shellcheck shell=bash
# The lab's PKI, built with the OpenSSL command line at lab start. Source this file, then:
#
#   pki_build DIR REQUESTS
#       Creates DIR/root.pem (the lab root: the scanner's --ca-file), DIR/intermediate.pem,
#       and for each line "NAME<TAB>KIND<TAB>CN<TAB>SAN,SAN,..." of REQUESTS a file
#       DIR/NAME.pem holding what a server presents: private key first, then the leaf, then
#       the chain it sends (Postfix smtpd_tls_chain_files order, also read by the persona
#       server). Lines starting with # and empty lines are ignored. KIND is one of
#         trusted         leaf signed by the intermediate, chain = leaf + intermediate
#         nointermediate  same leaf kind, but the intermediate is not sent
#         expired         valid from 400 days ago until 30 days ago
#         notyet          valid from 30 days from now for a year
#         selfsigned      self-signed leaf (not a CA)
#         unknownca       signed by a root nobody trusts (its root is sent too)
#         oversized       trusted leaf + the intermediate repeated until the chain exceeds
#                         320 kB (more than OpenSSL's default 100 kB certificate list limit
#                         and than mxscan's default max_chain_bytes, 256 KiB)
#
# Why `openssl ca`: `openssl x509 -req` in OpenSSL 3.0 cannot put validity dates in the
# past or future; `openssl ca -startdate/-enddate` can, given a minimal CA database.
# Keys are EC P-256: generating them takes milliseconds, so the lab starts fast.

_pki_ca_conf() {  # DIR NAME: a minimal `openssl ca` configuration for the CA in DIR/NAME*
  local dir=$1 name=$2
  mkdir -p "$dir/$name.db"
  : >"$dir/$name.db/index.txt"
  [[ -f $dir/$name.db/serial ]] || openssl rand -hex 16 >"$dir/$name.db/serial"
  cat >"$dir/$name.cnf" <<CNF
[ ca ]
default_ca = lab_ca
[ lab_ca ]
dir = $dir/$name.db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
certificate = $dir/$name.crt
private_key = $dir/$name.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
CNF
}

_pki_ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

_pki_san_ext() {  # FILE CN SANS: leaf extensions with the SAN list (CN added when no SAN)
  local file=$1 cn=$2 sans=$3 list="" s
  [[ -n $sans ]] || sans=$cn
  IFS=, read -r -a _sans <<<"$sans"
  for s in "${_sans[@]}"; do list+="${list:+,}DNS:$s"; done
  cat >"$file" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $list
EXT
}

_pki_date() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

pki_build() {
  local dir=$1 requests=$2
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local work=$dir/work
  mkdir -p "$work"
  cat >"$work/ca.ext" <<EXT
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
  # Roots: the lab's (trusted by the scanner) and an unknown one (trusted by nobody).
  local r
  for r in root unknownroot; do
    _pki_ec_key "$work/$r.key"
    local cn="mxscan lab root"
    [[ $r == unknownroot ]] && cn="Unknown CA root (not trusted by the lab)"
    openssl req -x509 -new -key "$work/$r.key" -subj "/CN=$cn" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$work/$r.crt" 2>/dev/null
    _pki_ca_conf "$work" "$r"
  done
  _pki_ec_key "$work/intermediate.key"
  openssl req -new -key "$work/intermediate.key" -subj "/CN=mxscan lab intermediate" \
    -out "$work/intermediate.csr" 2>/dev/null
  openssl ca -batch -notext -config "$work/root.cnf" -in "$work/intermediate.csr" \
    -out "$work/intermediate.crt" -extfile "$work/ca.ext" -days 3650 2>"$work/ca.log" >/dev/null
  _pki_ca_conf "$work" intermediate
  cp "$work/root.crt" "$dir/root.pem"
  cp "$work/intermediate.crt" "$dir/intermediate.pem"

  # One key and one request serve every leaf (`openssl ca -subj` sets each subject): the
  # lab needs distinct certificates, not distinct keys, and this halves the process count.
  _pki_ec_key "$work/leaf.key"
  openssl req -new -key "$work/leaf.key" -subj "/CN=lab leaf" -out "$work/leaf.csr" 2>/dev/null
  local name kind cn sans start end signer
  # Validity dates, computed once (a `date` per leaf costs more than the signing).
  local yesterday in_a_year long_ago month_ago next_month next_year
  yesterday=$(_pki_date "-1 day"); in_a_year=$(_pki_date "+365 days")
  long_ago=$(_pki_date "-400 days"); month_ago=$(_pki_date "-30 days")
  next_month=$(_pki_date "+30 days"); next_year=$(_pki_date "+395 days")
  while IFS=$'\t' read -r name kind cn sans; do
    [[ -z $name || $name == \#* ]] && continue
    cp "$work/leaf.key" "$work/$name.key"
    _pki_san_ext "$work/$name.ext" "$cn" "$sans"
    start=$yesterday; end=$in_a_year; signer=intermediate
    case $kind in
      trusted|nointermediate|oversized) ;;
      expired) start=$long_ago; end=$month_ago ;;
      notyet) start=$next_month; end=$next_year ;;
      unknownca) signer=unknownroot ;;
      selfsigned) signer="" ;;
      *) echo "pki_build: unknown kind '$kind' for $name" >&2; return 2 ;;
    esac
    if [[ -z $signer ]]; then
      openssl req -x509 -new -key "$work/$name.key" -subj "/CN=$cn" -days 365 -sha256 \
        -extensions v3_leaf -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3_leaf]\n'; \
          grep -v authorityKeyIdentifier "$work/$name.ext") -out "$work/$name.crt" 2>>"$work/ca.log"
    else
      openssl ca -batch -notext -config "$work/$signer.cnf" -in "$work/leaf.csr" -subj "/CN=$cn" \
        -out "$work/$name.crt" -extfile "$work/$name.ext" -startdate "$start" -enddate "$end" \
        >/dev/null 2>>"$work/ca.log" || { cat "$work/ca.log" >&2; return 1; }
    fi
    {
      cat "$work/$name.key" "$work/$name.crt"
      case $kind in
        trusted|expired|notyet) cat "$work/intermediate.crt" ;;
        unknownca) cat "$work/unknownroot.crt" ;;
        oversized)
          local size=0 one
          one=$(stat -c %s "$work/intermediate.crt")
          while ((size < 320000)); do cat "$work/intermediate.crt"; size=$((size + one)); done ;;
      esac
    } >"$dir/$name.pem"
  done <"$requests"
}
