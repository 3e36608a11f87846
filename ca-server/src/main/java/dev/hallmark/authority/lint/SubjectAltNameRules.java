package dev.hallmark.authority.lint;

import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.policy.IdentifierSyntax;
import dev.hallmark.authority.profile.Profile;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * subjectAltName and subject (RFC 5280 4.1.2.6, 4.2.1.6; BR 7.1.2.7.12, 7.1.4.3): present when the profile
 * requires it; never empty; critical exactly when the subject is empty; only the profile's name types, at most
 * its count, no duplicates; every entry well-formed, DNS names lower-case; on serverAuth certificates every
 * subject CN is one of the SANs; a CA's subject is never empty.
 */
final class SubjectAltNameRules implements LintRule {
    static final String MISSING = "e_san_missing";
    static final String EMPTY = "e_san_empty";
    static final String NOT_CRITICAL = "e_san_not_critical_with_empty_subject";
    static final String CRITICAL = "e_san_critical_with_subject";
    static final String SUBJECT_EMPTY_NO_SAN = "e_subject_empty_without_san";
    static final String CA_SUBJECT_EMPTY = "e_subject_empty_on_ca";
    static final String TYPE_NOT_IN_PROFILE = "e_san_type_not_in_profile";
    static final String TOO_MANY = "e_san_too_many";
    static final String DUPLICATE = "e_san_duplicate";
    static final String DNS_MALFORMED = "e_san_dns_malformed";
    static final String DNS_NOT_LOWER_CASE = "e_san_dns_not_lower_case";
    static final String IP_MALFORMED = "e_san_ip_malformed";
    static final String EMAIL_MALFORMED = "e_san_email_malformed";
    static final String URI_MALFORMED = "e_san_uri_malformed";
    static final String CN_NOT_IN_SAN = "e_cn_not_in_san";

    @Override
    public List<String> ids() {
        return List.of(MISSING, EMPTY, NOT_CRITICAL, CRITICAL, SUBJECT_EMPTY_NO_SAN, CA_SUBJECT_EMPTY,
                TYPE_NOT_IN_PROFILE, TOO_MANY, DUPLICATE, DNS_MALFORMED, DNS_NOT_LOWER_CASE, IP_MALFORMED,
                EMAIL_MALFORMED, URI_MALFORMED, CN_NOT_IN_SAN);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        Extension ext = c.extension(Extension.subjectAlternativeName);
        Profile profile = c.ctx.leaf() ? c.ctx.profile() : null;
        boolean subjectEmpty = c.subjectEmpty();
        if (!c.ctx.leaf() && subjectEmpty) {
            out.add(new Finding(CA_SUBJECT_EMPTY, "a CA certificate must have a non-empty subject"));
        }
        if (ext == null) {
            if (profile != null && profile.sanRequired()) {
                out.add(new Finding(MISSING, "profile '" + profile.name() + "' requires subjectAltName"));
            }
            if (subjectEmpty) {
                out.add(new Finding(SUBJECT_EMPTY_NO_SAN, "an empty subject needs a subjectAltName (RFC 5280 4.2.1.6)"));
            }
            return;
        }
        if (subjectEmpty && !ext.isCritical()) {
            out.add(new Finding(NOT_CRITICAL, "subjectAltName must be critical when the subject is empty"));
        }
        if (!subjectEmpty && ext.isCritical()) {
            out.add(new Finding(CRITICAL, "subjectAltName must not be critical when the subject is non-empty"));
        }
        if (c.subjectAltName == null) {
            return; // malformed, already reported
        }
        GeneralName[] names = c.subjectAltName.getNames();
        if (names.length == 0) {
            out.add(new Finding(EMPTY, "subjectAltName has no entries"));
            return;
        }
        if (profile != null && names.length > profile.maxSans()) {
            out.add(new Finding(TOO_MANY, "subjectAltName has " + names.length + " entries; profile '" + profile.name()
                    + "' allows " + profile.maxSans()));
        }
        List<Identifier> identifiers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (GeneralName name : names) {
            Identifier id = entry(name, out);
            if (id == null) {
                continue;
            }
            identifiers.add(id);
            if (!seen.add(id.type() + ":" + id.value().toLowerCase(Locale.ROOT))) {
                out.add(new Finding(DUPLICATE, "subjectAltName lists " + id + " more than once"));
            }
            if (profile != null && !profile.sanTypes().contains(id.type())) {
                out.add(new Finding(TYPE_NOT_IN_PROFILE, "profile '" + profile.name() + "' does not allow " + id.type().label()
                        + " names"));
            }
        }
        commonNames(c, identifiers, out);
    }

    /** Decodes and checks one entry; null when it is not usable (a finding was added). */
    private static Identifier entry(GeneralName name, List<Finding> out) {
        try {
            switch (name.getTagNo()) {
                case GeneralName.dNSName -> {
                    String dns = ASN1String.class.cast(name.getName()).getString();
                    if (!dns.equals(dns.toLowerCase(Locale.ROOT))) {
                        out.add(new Finding(DNS_NOT_LOWER_CASE, "dNSName '" + dns + "' is not lower-case"));
                        return null;
                    }
                    Optional<String> problem = IdentifierSyntax.dnsProblem(dns, true);
                    if (problem.isPresent()) {
                        out.add(new Finding(DNS_MALFORMED, "dNSName '" + dns + "': " + problem.get()));
                        return null;
                    }
                    return new Identifier(Identifier.Type.DNS, dns);
                }
                case GeneralName.iPAddress -> {
                    byte[] octets = ASN1OctetString.getInstance(name.getName()).getOctets();
                    if (octets.length != 4 && octets.length != 16) {
                        out.add(new Finding(IP_MALFORMED, "iPAddress has " + octets.length + " octets; expected 4 or 16"));
                        return null;
                    }
                    return Identifier.ip(dev.hallmark.authority.policy.IdentifierSyntax.canonicalIp(InetAddress.getByAddress(octets)));
                }
                case GeneralName.rfc822Name -> {
                    String email = ASN1String.class.cast(name.getName()).getString();
                    Optional<String> problem = IdentifierSyntax.emailProblem(email);
                    if (problem.isPresent()) {
                        out.add(new Finding(EMAIL_MALFORMED, "rfc822Name: " + problem.get()));
                        return null;
                    }
                    return new Identifier(Identifier.Type.EMAIL, email);
                }
                case GeneralName.uniformResourceIdentifier -> {
                    String uri = ASN1String.class.cast(name.getName()).getString();
                    Optional<String> problem = IdentifierSyntax.uriProblem(uri);
                    if (problem.isPresent()) {
                        out.add(new Finding(URI_MALFORMED, "uniformResourceIdentifier: " + problem.get()));
                        return null;
                    }
                    return new Identifier(Identifier.Type.URI, uri);
                }
                default -> {
                    out.add(new Finding(TYPE_NOT_IN_PROFILE, "subjectAltName type " + name.getTagNo() + " is never issued"));
                    return null;
                }
            }
        } catch (ClassCastException | IllegalArgumentException | UnknownHostException e) {
            out.add(new Finding(LintTarget.EXT_MALFORMED, "subjectAltName entry of type " + name.getTagNo() + " does not decode"));
            return null;
        }
    }

    /** BR 7.1.4.3: on a serverAuth certificate each CN must repeat a dNSName or iPAddress SAN. */
    private static void commonNames(LintTarget c, List<Identifier> sans, List<Finding> out) {
        if (c.extendedKeyUsage == null || !c.extendedKeyUsage.contains(KeyPurposeId.id_kp_serverAuth)) {
            return;
        }
        for (RDN rdn : c.tbs.getSubject().getRDNs(BCStyle.CN)) {
            for (var atv : rdn.getTypesAndValues()) {
                if (!atv.getType().equals(BCStyle.CN)) {
                    continue;
                }
                String cn = atv.getValue() instanceof ASN1String s ? s.getString() : "";
                boolean found = sans.stream().anyMatch(id -> (id.type() == Identifier.Type.DNS && id.value().equals(cn))
                        || (id.type() == Identifier.Type.IP && id.value().equals(cn)));
                if (!found) {
                    out.add(new Finding(CN_NOT_IN_SAN, "commonName '" + cn + "' is not among the subjectAltNames"));
                }
            }
        }
    }
}
