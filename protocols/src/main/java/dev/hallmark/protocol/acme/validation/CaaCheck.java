package dev.hallmark.protocol.acme.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.CAARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * CAA (RFC 8659): may this CA issue for a DNS name? Climbs from the name towards the root (excluding the root)
 * and takes the first non-empty CAA RRset as the relevant one (§3); NXDOMAIN at a node counts as empty. Fails
 * closed: a lookup error is a {@code dns} problem, never "no CAA".
 *
 * <p>Evaluation (§4): an unknown tag with the issuer-critical flag forbids issuance; for a wildcard the
 * {@code issuewild} properties apply when there are any, else {@code issue}; no applicable property means
 * any CA may issue; otherwise one property's issuer domain must be one of this CA's identities (parameters are
 * not evaluated). Thread-safe.
 */
final class CaaCheck {
    /** RFC 8659 §4.1: the issuer critical flag is the high bit of the flags octet. */
    private static final int CRITICAL = 0x80;
    /** Tags this VA understands (RFC 8659 §4, RFC 9495 issuemail, BR contact tags, issuevmc): not "unknown". */
    private static final Set<String> KNOWN_TAGS = Set.of("issue", "issuewild", "iodef", "issuemail", "issuevmc",
            "contactemail", "contactphone");

    private final DnsClient dns;
    private final Set<String> identities;

    CaaCheck(DnsClient dns, Set<String> identities) {
        this.dns = dns;
        this.identities = identities;
    }

    /**
     * Checks {@code name} (without any {@code *.} prefix).
     *
     * @throws ValidationFailure {@code caa} when CAA forbids issuance, {@code dns} when CAA cannot be determined
     */
    void check(String name, boolean wildcard, AttemptContext ctx) throws ValidationFailure {
        Name start = DnsClient.absolute(name);
        for (Name node = start; node.labels() > 1; node = new Name(node, 1)) {
            DnsClient.Answer answer = dns.lookup(node.toString(), Type.CAA, ctx);
            if (!answer.records().isEmpty()) {
                evaluate(answer.records(), node.toString(true), name, wildcard);
                return;
            }
        }
    }

    private void evaluate(List<Record> rrset, String at, String name, boolean wildcard) throws ValidationFailure {
        List<CAARecord> issue = new ArrayList<>();
        List<CAARecord> issueWild = new ArrayList<>();
        for (Record r : rrset) {
            CAARecord caa = (CAARecord) r;
            String tag = caa.getTag().toLowerCase(Locale.ROOT); // §4.1: tags match case-insensitively
            if ((caa.getFlags() & CRITICAL) != 0 && !KNOWN_TAGS.contains(tag)) {
                throw new ValidationFailure("caa", "CAA record at " + at + " has the unknown critical property "
                        + ValidationFailure.quoted(caa.getTag(), 32) + ", so no CA may issue for " + name);
            }
            if (tag.equals("issue")) {
                issue.add(caa);
            } else if (tag.equals("issuewild")) {
                issueWild.add(caa);
            }
        }
        List<CAARecord> relevant = wildcard && !issueWild.isEmpty() ? issueWild : issue;
        if (relevant.isEmpty()) {
            return;
        }
        for (CAARecord caa : relevant) {
            String issuer = issuerDomain(caa.getValue());
            if (issuer != null && identities.contains(issuer)) {
                return;
            }
        }
        throw new ValidationFailure("caa", "CAA record at " + at + " does not authorize this CA ("
                + String.join(", ", identities.stream().sorted().toList()) + ") to issue for "
                + (wildcard ? "*." : "") + name);
    }

    /**
     * The issuer-domain-name of an {@code issue}/{@code issuewild} value (RFC 8659 §4.2), lower-cased, or null
     * when it is empty (";" forbids all issuers) or not a domain name.
     */
    static String issuerDomain(String value) {
        int semicolon = value.indexOf(';');
        String domain = (semicolon >= 0 ? value.substring(0, semicolon) : value).trim().toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (domain.isEmpty() || !domain.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
            return null;
        }
        return domain;
    }
}
