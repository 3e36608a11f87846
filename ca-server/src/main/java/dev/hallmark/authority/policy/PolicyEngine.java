package dev.hallmark.authority.policy;

import dev.hallmark.authority.CaException.Kind;
import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.profile.Profile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * The one policy engine (RELIABILITY I7): every caller, whatever the protocol or operation, asks it before a
 * certificate is shaped, and nothing unknown is ever allowed. It checks, and reports every reason it finds:
 * <ol>
 *   <li>the request: validity at most {@link PolicyRules#maxValidity()} and the profile's; SANs present when the
 *       profile requires them; at most min(profile max, {@link PolicyRules#maxSans()}) identifiers;</li>
 *   <li>each identifier independently: syntax and normal form ({@link IdentifierSyntax}), type allowed by the
 *       profile, no duplicates, wildcards only when allowed, deny patterns (deny wins; a wildcard is denied when
 *       it could reach a denied name) and allow patterns (a wildcard is allowed only when fully covered);</li>
 *   <li>the key: classified by {@link SubjectKey}, allowed by the profile and by {@link KeyRules}, RSA size
 *       bounds, exponent (BR 6.1.6) and {@link WeakKeys} (BR 6.1.1.3);</li>
 *   <li>what the CSR asks for: extended key usages and keyUsage bits the profile does not grant are refused, not
 *       silently dropped (RELIABILITY I5).</li>
 * </ol>
 * Immutable and thread-safe.
 */
public final class PolicyEngine {
    /** Rule ids; stable. */
    public static final String VALIDITY_NOT_POSITIVE = "validity_not_positive";
    public static final String VALIDITY_TOO_LONG = "validity_too_long";
    public static final String VALIDITY_EXCEEDS_PROFILE = "validity_exceeds_profile";
    public static final String SAN_REQUIRED = "san_required";
    public static final String TOO_MANY_SANS = "too_many_sans";
    public static final String IDENTIFIER_SYNTAX = "identifier_syntax";
    public static final String IDENTIFIER_NOT_NORMALISED = "identifier_not_normalised";
    public static final String IDENTIFIER_DUPLICATE = "identifier_duplicate";
    public static final String SAN_TYPE_NOT_IN_PROFILE = "san_type_not_in_profile";
    public static final String WILDCARD_NOT_ALLOWED = "wildcard_not_allowed";
    public static final String NAME_DENIED = "name_denied";
    public static final String NAME_NOT_ALLOWED = "name_not_allowed";
    public static final String KEY_TYPE_NOT_IN_PROFILE = "key_type_not_in_profile";
    public static final String KEY_TYPE_NOT_ALLOWED = "key_type_not_allowed";
    public static final String RSA_TOO_SMALL = "rsa_too_small";
    public static final String RSA_TOO_LARGE = "rsa_too_large";
    public static final String CSR_EKU_NOT_IN_PROFILE = "csr_eku_not_in_profile";
    public static final String CSR_KEY_USAGE_NOT_IN_PROFILE = "csr_key_usage_not_in_profile";

    private final PolicyRules rules;
    private final Map<Identifier.Type, List<NamePattern>> allow = new EnumMap<>(Identifier.Type.class);
    private final Map<Identifier.Type, List<NamePattern>> deny = new EnumMap<>(Identifier.Type.class);

    /**
     * @param rules the CA-wide rules (already validated by {@link PolicyRules})
     */
    public PolicyEngine(PolicyRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
        for (Identifier.Type type : Identifier.Type.values()) {
            NameRules r = rules.rulesFor(type);
            allow.put(type, r.allow().stream().map(p -> NamePattern.parse(type, p)).toList());
            deny.put(type, r.deny().stream().map(p -> NamePattern.parse(type, p)).toList());
        }
    }

    /** The rules in force. */
    public PolicyRules rules() {
        return rules;
    }

    /**
     * Evaluates a request. Never throws for a bad request: every problem becomes a {@link Reason}.
     *
     * @return the decision; call {@link PolicyDecision#enforce()} to turn a refusal into a {@code CaException}
     */
    public PolicyDecision evaluate(PolicyRequest request) {
        List<Reason> out = new ArrayList<>();
        validity(request, out);
        identifiers(request.profile(), request.identifiers(), out);
        key(request, out);
        csrAsks(request.profile(), request.csr(), out);
        return new PolicyDecision(out);
    }

    private void validity(PolicyRequest request, List<Reason> out) {
        Profile profile = request.profile();
        Duration validity = request.validity() == null ? profile.validity() : request.validity();
        if (validity.isZero() || validity.isNegative()) {
            out.add(new Reason(Kind.POLICY_DENIED, null, VALIDITY_NOT_POSITIVE, "validity must be positive"));
            return;
        }
        if (validity.compareTo(rules.maxValidity()) > 0) {
            out.add(new Reason(Kind.POLICY_DENIED, null, VALIDITY_TOO_LONG, "validity " + validity.toDays()
                    + " days exceeds the CA's maximum of " + rules.maxValidity().toDays() + " days"));
        }
        if (validity.compareTo(profile.validity()) > 0) {
            out.add(new Reason(Kind.POLICY_DENIED, null, VALIDITY_EXCEEDS_PROFILE, "validity exceeds profile '"
                    + profile.name() + "' (" + profile.validity().toDays() + " days)"));
        }
    }

    /**
     * Evaluates only the identifiers a request would certify, before there is a CSR (an ACME newOrder): the same
     * rules {@link #evaluate} applies to them, so an order the engine accepts here is refused at finalize only for
     * its key or CSR.
     */
    public PolicyDecision evaluateIdentifiers(Profile profile, List<Identifier> ids) {
        List<Reason> out = new ArrayList<>();
        identifiers(profile, ids, out);
        return new PolicyDecision(out);
    }

    private void identifiers(Profile profile, List<Identifier> ids, List<Reason> out) {
        if (ids.isEmpty() && profile.sanRequired()) {
            out.add(new Reason(Kind.POLICY_DENIED, null, SAN_REQUIRED, "profile '" + profile.name()
                    + "' requires at least one identifier"));
        }
        int max = Math.min(profile.maxSans(), rules.maxSans());
        if (ids.size() > max) {
            out.add(new Reason(Kind.POLICY_DENIED, null, TOO_MANY_SANS, ids.size() + " identifiers requested; at most "
                    + max + " are allowed"));
        }
        Set<String> seen = new HashSet<>();
        for (Identifier id : ids) {
            if (!seen.add(id.type() + ":" + normalForm(id))) {
                out.add(new Reason(Kind.REJECTED_IDENTIFIER, id, IDENTIFIER_DUPLICATE, "identifier is listed more than once"));
                continue;
            }
            identifier(profile, id, out);
        }
    }

    /** Checks one identifier on its own (RELIABILITY I6). */
    private void identifier(Profile profile, Identifier id, List<Reason> out) {
        if (!profile.sanTypes().contains(id.type())) {
            out.add(new Reason(Kind.REJECTED_IDENTIFIER, id, SAN_TYPE_NOT_IN_PROFILE, "profile '" + profile.name()
                    + "' does not issue " + id.type().label() + " identifiers"));
            return;
        }
        Optional<String> problem = IdentifierSyntax.problem(id);
        if (problem.isPresent()) {
            out.add(new Reason(Kind.REJECTED_IDENTIFIER, id, IDENTIFIER_SYNTAX, problem.get()));
            return;
        }
        if (!normalForm(id).equals(id.value())) {
            out.add(new Reason(Kind.REJECTED_IDENTIFIER, id, IDENTIFIER_NOT_NORMALISED, "identifier must be written "
                    + normalForm(id)));
            return;
        }
        if (id.type() == Identifier.Type.DNS && IdentifierSyntax.isWildcard(id.value()) && !rules.allowWildcards()) {
            out.add(new Reason(Kind.REJECTED_IDENTIFIER, id, WILDCARD_NOT_ALLOWED, "wildcard names are not issued by this CA"));
            return;
        }
        for (NamePattern p : deny.get(id.type())) {
            if (p.touches(id.value())) {
                out.add(new Reason(Kind.REJECTED_IDENTIFIER, id, NAME_DENIED, "identifier is forbidden by policy"));
                return;
            }
        }
        List<NamePattern> allowed = allow.get(id.type());
        if (!allowed.isEmpty() && allowed.stream().noneMatch(p -> p.covers(id.value()))) {
            out.add(new Reason(Kind.REJECTED_IDENTIFIER, id, NAME_NOT_ALLOWED, "identifier is not in any allowed namespace"));
        }
    }

    /** The canonical spelling: DNS lower-case (done by {@link Identifier}), email domain lower-case. */
    private static String normalForm(Identifier id) {
        if (id.type() == Identifier.Type.EMAIL) {
            int at = id.value().lastIndexOf('@');
            return at < 0 ? id.value() : id.value().substring(0, at + 1) + id.value().substring(at + 1).toLowerCase(Locale.ROOT);
        }
        if (id.type() == Identifier.Type.DNS) {
            return id.value().toLowerCase(Locale.ROOT);
        }
        return id.value();
    }

    private void key(PolicyRequest request, List<Reason> out) {
        List<Reason> keyReasons = new ArrayList<>();
        SubjectKey key = SubjectKey.inspect(request.csr().subjectPublicKeyInfo(),
                (rule, detail) -> keyReasons.add(new Reason(Kind.BAD_PUBLIC_KEY, null, rule, detail)));
        out.addAll(keyReasons);
        if (key == null) {
            return;
        }
        Profile profile = request.profile();
        KeyRules keys = rules.keys();
        if (!profile.keyTypes().contains(key.type())) {
            out.add(new Reason(Kind.BAD_PUBLIC_KEY, null, KEY_TYPE_NOT_IN_PROFILE, "profile '" + profile.name()
                    + "' does not accept " + key.type().cliName() + " keys"));
        }
        if (!keys.allowed().contains(key.type())) {
            out.add(new Reason(Kind.BAD_PUBLIC_KEY, null, KEY_TYPE_NOT_ALLOWED, key.type().cliName()
                    + " keys are not accepted by this CA"));
        }
        if (!key.isRsa()) {
            return;
        }
        if (key.bits() < keys.rsaMinBits()) {
            out.add(new Reason(Kind.BAD_PUBLIC_KEY, null, RSA_TOO_SMALL, "RSA key has " + key.bits() + " bits; at least "
                    + keys.rsaMinBits() + " are required"));
        }
        if (key.bits() > keys.rsaMaxBits()) {
            out.add(new Reason(Kind.BAD_PUBLIC_KEY, null, RSA_TOO_LARGE, "RSA key has " + key.bits() + " bits; at most "
                    + keys.rsaMaxBits() + " are accepted"));
            return; // bound the cost of the checks below
        }
        if (keys.rejectWeak()) {
            for (WeakKeys.Weakness w : WeakKeys.rsa(key.modulus(), key.exponent())) {
                out.add(new Reason(Kind.BAD_PUBLIC_KEY, null, w.rule(), w.detail()));
            }
        } else {
            WeakKeys.exponentProblem(key.exponent())
                    .ifPresent(d -> out.add(new Reason(Kind.BAD_PUBLIC_KEY, null, WeakKeys.EXPONENT, d)));
        }
    }

    /** RELIABILITY I5: a CSR that asks for more than the profile grants is refused, not trimmed. */
    private static void csrAsks(Profile profile, CertificationRequest csr, List<Reason> out) {
        Set<KeyPurposeId> granted = new HashSet<>();
        profile.extendedKeyUsage().forEach(e -> granted.add(e.purpose()));
        for (KeyPurposeId purpose : csr.requestedKeyPurposes()) {
            if (!granted.contains(purpose)) {
                out.add(new Reason(Kind.BAD_CSR, null, CSR_EKU_NOT_IN_PROFILE, "CSR asks for extended key usage "
                        + purpose.toOID() + ", which profile '" + profile.name() + "' does not grant"));
            }
        }
        int grantedBits = 0;
        for (Profile.KeyUsageBit bit : profile.keyUsage()) {
            grantedBits |= bit.mask();
        }
        int extra = csr.requestedKeyUsage() & ~grantedBits;
        if (extra != 0) {
            out.add(new Reason(Kind.BAD_CSR, null, CSR_KEY_USAGE_NOT_IN_PROFILE, "CSR asks for keyUsage bits 0x"
                    + Integer.toHexString(extra) + " that profile '" + profile.name() + "' does not grant"));
        }
    }
}
