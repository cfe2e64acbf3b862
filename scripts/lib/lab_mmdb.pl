#!/usr/bin/perl
# Writes a GeoLite2-ASN-shaped .mmdb from a lab ASN table, with MaxMind's own writer
# (Debian libmaxmind-db-writer-perl), so the scanner's reader is tested against files
# produced by code nobody in the project wrote.
#   lab_mmdb.pl TABLE OUT.mmdb
# TABLE lines: PREFIX<TAB>LENGTH<TAB>ASN<TAB>ORGANISATION (# comments allowed).
# Why the options: the lab's networks are in 127.0.0.0/8, which the writer drops as
# reserved unless remove_reserved_networks => 0; the ASN must be stored as uint32 as in
# MaxMind's databases (map_key_type_callback); `use utf8` keeps organisation names text.
use strict;
use warnings;
use utf8;
use MaxMind::DB::Writer::Tree;

my ($table, $out) = @ARGV;
die "usage: lab_mmdb.pl TABLE OUT.mmdb\n" unless defined $out;

my %types = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 4,
    record_size              => 24,
    database_type            => 'GeoLite2-ASN',
    languages                => ['en'],
    description              => { en => 'mxscan lab ASN data (127.0.0.0/8 only)' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    remove_reserved_networks => 0,
);
open(my $in, '<:encoding(UTF-8)', $table) or die "lab_mmdb.pl: $table: $!\n";
my $n = 0;
while (my $line = <$in>) {
    chomp $line;
    next if $line =~ /^\s*(#|$)/;
    my ($prefix, $len, $asn, $org) = split /\t/, $line;
    die "lab_mmdb.pl: $table:$.: bad line\n" unless defined $asn && $asn =~ /^\d+$/;
    die "lab_mmdb.pl: $table:$.: $prefix is outside 127.0.0.0/8\n" unless $prefix =~ /^127\./;
    $tree->insert_network("$prefix/$len", {
        autonomous_system_number       => $asn + 0,
        autonomous_system_organization => $org // "AS$asn",
    });
    $n++;
}
close $in;
open(my $fh, '>:raw', $out) or die "lab_mmdb.pl: $out: $!\n";
$tree->write_tree($fh);
close $fh or die "lab_mmdb.pl: $out: $!\n";
print STDERR "lab_mmdb.pl: $n networks written to $out\n";
