package dev.hallmark.protocol.acme.validation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;
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
 * any CA may issue; otherwise at least one property must authorize this request: its value parses (§4.2, else it
 * authorizes nobody), its issuer domain is one of this CA's identities, and its RFC 8657 parameters, when present,
 * admit the request: {@code accounturi} equals the account URL exactly (§3), {@code validationmethods} lists the
 * method in use (§4). Other parameters are ignored (RFC 8659 §4.2). Thread-safe.
 */
final class CaaCheck {
    /** RFC 8659 §4.1: the issuer critical flag is the high bit of the flags octet. */
    private static final int CRITICAL = 0x80;
    /** Tags this VA understands (RFC 8659 §4, RFC 9495 issuemail, BR contact tags, issuevmc): not "unknown". */
    private static final Set<String> KNOWN_TAGS = Set.of("issue", "issuewild", "iodef", "issuemail", "issuevmc",
            "contactemail", "contactphone");
    /** RFC 8659 §4.2 {@code label} (also its parameter {@code tag}, and RFC 8657 §4's method {@code label}). */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](-*[A-Za-z0-9])*");
    private static final Pattern DOMAIN = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
    private static final String ACCOUNT_URI = "accounturi";
    private static final String VALIDATION_METHODS = "validationmethods";

    private final DnsClient dns;
    private final Set<String> identities;

    CaaCheck(DnsClient dns, Set<String> identities) {
        this.dns = dns;
        this.identities = identities;
    }

    /**
     * Checks {@code name} (without any {@code *.} prefix) for {@code request}.
     *
     * @throws ValidationFailure {@code caa} when CAA forbids issuance, {@code dns} when CAA cannot be determined
     */
    void check(String name, boolean wildcard, Validator.CaaRequest request, AttemptContext ctx)
            throws ValidationFailure {
        Name start = DnsClient.absolute(name);
        for (Name node = start; node.labels() > 1; node = new Name(node, 1)) {
            DnsClient.Answer answer = dns.lookup(node.toString(), Type.CAA, ctx);
            if (!answer.records().isEmpty()) {
                evaluate(answer.records(), node.toString(true), name, wildcard, request);
                return;
            }
        }
    }

    private void evaluate(List<Record> rrset, String at, String name, boolean wildcard, Validator.CaaRequest request)
            throws ValidationFailure {
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
        String refused = null; // why the first property naming this CA did not authorize the request
        String malformed = null; // else why the first unparseable property (whoever it was meant for) did not
        for (CAARecord caa : relevant) {
            String value = rawValue(caa);
            Optional<IssueValue> parsed = IssueValue.parse(value);
            if (parsed.isEmpty()) {
                malformed = malformed != null ? malformed : "the " + caa.getTag().toLowerCase(Locale.ROOT)
                        + " property " + ValidationFailure.quoted(value, 64) + " is malformed (RFC 8659 section 4.2)";
                continue;
            }
            if (parsed.get().issuerDomain() == null || !identities.contains(parsed.get().issuerDomain())) {
                continue;
            }
            Optional<String> refusal = refusal(parsed.get().parameters(), request);
            if (refusal.isEmpty()) {
                return;
            }
            refused = refused != null ? refused : refusal.get();
        }
        String why = refused != null ? refused : malformed;
        throw new ValidationFailure("caa", "CAA record at " + at + " does not authorize this CA ("
                + String.join(", ", identities.stream().sorted().toList()) + ") to issue for "
                + (wildcard ? "*." : "") + name + (why == null ? "" : ": " + why));
    }

    /** Why the RFC 8657 parameters of a property naming this CA refuse {@code request}; empty when they admit it. */
    private static Optional<String> refusal(Map<String, String> parameters, Validator.CaaRequest request) {
        String accountUri = parameters.get(ACCOUNT_URI);
        if (accountUri != null && !accountUri.equals(request.accountUri())) { // §3: exact match, no normalisation
            return Optional.of(request.accountUri() == null ? "accounturi " + ValidationFailure.quoted(accountUri, 64)
                    + " needs the account, which this check was not given"
                    : "accounturi " + ValidationFailure.quoted(accountUri, 64) + " names another account");
        }
        String methods = parameters.get(VALIDATION_METHODS);
        if (methods != null) {
            List<String> list = Arrays.asList(methods.split(",", -1));
            if (!methods.isEmpty() && !list.stream().allMatch(m -> LABEL.matcher(m).matches())) {
                return Optional.of("validationmethods " + ValidationFailure.quoted(methods, 64)
                        + " is malformed (RFC 8657 section 4)");
            }
            if (request.validationMethod() == null || !list.contains(request.validationMethod())) {
                return Optional.of("validationmethods " + ValidationFailure.quoted(methods, 64) + " does not include "
                        + (request.validationMethod() == null ? "the method in use"
                        : ValidationFailure.quoted(request.validationMethod(), 32)));
            }
        }
        return Optional.empty();
    }

    /**
     * The value exactly as on the wire: {@link CAARecord#getValue()} is the zone-file presentation, with
     * {@code \"}, {@code \\} and {@code \DDD} escapes, which would be parsed as if they were the value.
     */
    private static String rawValue(CAARecord caa) {
        byte[] rdata = caa.rdataToWireCanonical(); // flags (1), tag length (1), tag, value (RFC 8659 §4.1)
        int offset = 2 + (rdata[1] & 0xff);
        return new String(rdata, offset, rdata.length - offset, StandardCharsets.ISO_8859_1);
    }

    /**
     * A parsed {@code issue}/{@code issuewild} value (RFC 8659 §4.2).
     *
     * @param issuerDomain the issuer-domain-name, lower-cased, without a trailing dot; null when absent (which
     *                     forbids every issuer)
     * @param parameters   the parameters by tag, lower-cased (so that {@code AccountURI} restricts as
     *                     {@code accounturi} does), values verbatim; unmodifiable
     */
    record IssueValue(String issuerDomain, Map<String, String> parameters) {
        /**
         * Parses {@code value} by the grammar of RFC 8659 §4.2: {@code *WSP [issuer-domain-name *WSP]
         * [";" *WSP [parameters *WSP]]}, parameters {@code tag *WSP "=" *WSP value} separated by
         * {@code *WSP ";" *WSP}, WSP being space or tab. One trailing dot on the issuer domain is tolerated.
         *
         * @param value the property value as on the wire (one char per octet), not null
         * @return the parsed value, or empty when it does not follow the grammar, or repeats a parameter tag
         *         (ambiguous): such a property authorizes no CA
         */
        static Optional<IssueValue> parse(String value) {
            Cursor c = new Cursor(value);
            c.skipWsp();
            String domain = c.take(ch -> ch != ';' && !isWsp(ch));
            String issuer = null;
            if (!domain.isEmpty()) {
                String bare = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
                if (!DOMAIN.matcher(bare).matches()) {
                    return Optional.empty();
                }
                issuer = bare.toLowerCase(Locale.ROOT); // ASCII only by now
            }
            c.skipWsp();
            Map<String, String> parameters = new LinkedHashMap<>();
            if (c.done()) {
                return Optional.of(new IssueValue(issuer, Map.of()));
            }
            if (!c.accept(';')) {
                return Optional.empty();
            }
            c.skipWsp();
            while (!c.done()) {
                String tag = c.take(ch -> ch != '=' && ch != ';' && !isWsp(ch));
                c.skipWsp();
                if (!LABEL.matcher(tag).matches() || !c.accept('=')) {
                    return Optional.empty();
                }
                c.skipWsp();
                String v = c.take(ch -> ch >= 0x21 && ch <= 0x7e && ch != ';');
                if (parameters.put(tag.toLowerCase(Locale.ROOT), v) != null) {
                    return Optional.empty();
                }
                c.skipWsp();
                if (c.done()) {
                    break;
                }
                if (!c.accept(';')) {
                    return Optional.empty();
                }
                c.skipWsp();
                if (c.done()) {
                    return Optional.empty(); // "; a=b;" ends in a separator without a parameter
                }
            }
            return Optional.of(new IssueValue(issuer, Collections.unmodifiableMap(parameters)));
        }

        private static boolean isWsp(int ch) {
            return ch == ' ' || ch == '\t';
        }
    }

    /** A read position in a property value. Not thread-safe (one per parse). */
    private static final class Cursor {
        private final String s;
        private int i;

        Cursor(String s) {
            this.s = s;
        }

        boolean done() {
            return i == s.length();
        }

        void skipWsp() {
            while (i < s.length() && IssueValue.isWsp(s.charAt(i))) {
                i++;
            }
        }

        boolean accept(char expected) {
            if (i < s.length() && s.charAt(i) == expected) {
                i++;
                return true;
            }
            return false;
        }

        String take(IntPredicate test) {
            int from = i;
            while (i < s.length() && test.test(s.charAt(i))) {
                i++;
            }
            return s.substring(from, i);
        }
    }
}
