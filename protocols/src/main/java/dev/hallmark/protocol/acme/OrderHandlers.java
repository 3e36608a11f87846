package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.Provenance;
import dev.hallmark.authority.policy.PolicyDecision;
import dev.hallmark.authority.policy.Reason;
import dev.hallmark.protocol.acme.AcmeReplies.Reply;
import dev.hallmark.protocol.acme.validation.Validator;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** newOrder, the order resource and finalize (RFC 8555 §7.4; profiles; RFC 9773 {@code replaces}). */
final class OrderHandlers {
    /** Boulder's cap; RFC 8555 sets none. */
    static final int MAX_IDENTIFIERS = 100;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Core refusals of a request's content, raised by its policy step before any serial or signature. */
    private static final Set<CaException.Kind> REFUSED_BEFORE_SIGNING = java.util.EnumSet.of(CaException.Kind.BAD_CSR,
            CaException.Kind.BAD_PUBLIC_KEY, CaException.Kind.BAD_SIGNATURE_ALGORITHM, CaException.Kind.REJECTED_IDENTIFIER,
            CaException.Kind.POLICY_DENIED, CaException.Kind.MALFORMED);

    private final AcmeServices s;
    private final Ari ari;

    OrderHandlers(AcmeServices services, Ari ari) {
        this.s = services;
        this.ari = ari;
    }

    /** POST /acme/new-order. */
    Reply newOrder(RoutingContext ctx, AcmeRequest req) {
        AcmeAccount account = req.requireAccount();
        ObjectNode p = req.jws().payloadObject();
        if (p.hasNonNull("notBefore") || p.hasNonNull("notAfter")) {
            throw AcmeProblem.malformed("notBefore and notAfter are not supported: the profile sets the validity");
        }
        String profile = AcmeJson.text(p, "profile", "the payload");
        if (profile == null) {
            profile = s.settings().defaultProfile();
        } else if (!s.settings().profiles().contains(profile)) {
            throw AcmeProblem.of("invalidProfile", 400, "profile '" + profile + "' is not offered; see meta.profiles in the directory");
        }
        List<AcmeProblem.Sub> subs = new ArrayList<>();
        List<Identifier> ids = identifiers(p.get("identifiers"), subs);
        PolicyDecision decision = ids.isEmpty() ? PolicyDecision.allow() : s.authority().checkIdentifiers(profile, ids);
        if (!decision.allowed() || !subs.isEmpty()) { // every bad identifier is named, whichever check it failed
            for (Reason r : decision.reasons()) {
                String type = r.identifier() == null ? "rejectedIdentifier"
                        : "identifier_syntax".equals(r.rule()) ? "malformed" : AcmeProblem.type(r.kind());
                subs.add(new AcmeProblem.Sub(type, r.detail(), r.identifier()));
            }
            throw AcmeProblem.compound("the order names identifiers this CA does not certify", subs);
        }
        String replaces = AcmeJson.text(p, "replaces", "the payload");
        if (replaces != null) {
            ari.checkReplaces(replaces, account, ids);
        }
        s.limiter().count("newOrdersPerAccount", "account:" + account.id() + ":orders", s.settings().limits().newOrdersPerAccount());
        for (String domain : ids.stream().filter(i -> i.type() == Identifier.Type.DNS)
                .map(i -> RateLimiter.registeredDomain(i.value())).collect(Collectors.toCollection(LinkedHashSet::new))) {
            s.limiter().count("newOrdersPerDomain", "domain:" + domain + ":orders", s.settings().limits().newOrdersPerDomain());
        }
        Instant now = s.clock().instant();
        Instant expires = now.plus(s.settings().orderLifetime());
        List<String> authzIds = new ArrayList<>();
        List<AcmeAuthorization> created = new ArrayList<>();
        for (Identifier id : ids) {
            boolean wildcard = id.type() == Identifier.Type.DNS && id.value().startsWith("*.");
            Identifier base = wildcard ? Identifier.dns(id.value().substring(2)) : id;
            Optional<AcmeAuthorization> reuse = s.settings().authzReuse().isZero() ? Optional.empty()
                    : s.store().reusableAuthorization(account.id(), base, wildcard, expires);
            if (reuse.isPresent()) {
                authzIds.add(reuse.get().id());
                continue;
            }
            String authzId = randomId();
            List<AcmeChallenge> challenges = new ArrayList<>();
            for (String type : challengeTypes(base, wildcard)) {
                challenges.add(new AcmeChallenge(randomId(), authzId, type, token(), AcmeStatus.PENDING, null, null));
            }
            created.add(new AcmeAuthorization(authzId, account.id(), base, wildcard, AcmeStatus.PENDING, expires, null, null,
                    challenges));
            authzIds.add(authzId);
        }
        AcmeOrder order = new AcmeOrder(randomId(), account.id(), AcmeStatus.PENDING, expires, ids, null, null, profile,
                replaces, authzIds, null, null, null, now);
        try {
            s.store().createOrder(order, created);
        } catch (AcmeStore.DuplicateException e) {
            if (replaces == null) {
                throw e;
            }
            throw AcmeProblem.of("alreadyReplaced", 409, "another order already replaces this certificate");
        }
        s.metrics().order("created");
        List<AcmeAuthorization> authzs = s.store().authorizationsOf(order);
        return Reply.json(201, AcmeViews.order(order, AcmeOrders.statusOf(order, authzs, now), req.urls()))
                .location(req.urls().order(order.id()));
    }

    /** The challenges offered: wildcards dns-01 only (BR 3.2.2.4.7); IP addresses http-01 and tls-alpn-01 (RFC 8738 §7). */
    static List<String> challengeTypes(Identifier base, boolean wildcard) {
        if (wildcard) {
            return List.of("dns-01");
        }
        if (base.type() == Identifier.Type.IP) {
            return List.of("http-01", "tls-alpn-01");
        }
        return List.of("http-01", "dns-01", "tls-alpn-01");
    }

    /** The well-formed identifiers; each one that cannot be used becomes a subproblem in {@code subs}. */
    private static List<Identifier> identifiers(JsonNode node, List<AcmeProblem.Sub> subs) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw AcmeProblem.malformed("'identifiers' must be a non-empty array");
        }
        if (node.size() > MAX_IDENTIFIERS) {
            throw AcmeProblem.of("rejectedIdentifier", 400, node.size() + " identifiers; at most " + MAX_IDENTIFIERS
                    + " per order");
        }
        List<Identifier> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode e : node) {
            if (!e.isObject() || !e.path("type").isTextual() || !e.path("value").isTextual()) {
                throw AcmeProblem.malformed("each identifier is {\"type\": ..., \"value\": ...} with string members");
            }
            String type = e.get("type").asText();
            String value = e.get("value").asText();
            if (value.length() > 300) {
                subs.add(new AcmeProblem.Sub("malformed", "identifier longer than 300 characters", null));
                continue;
            }
            Identifier id;
            switch (type) {
                case "dns" -> id = Identifier.dns(value);
                case "ip" -> id = Identifier.ip(value);
                default -> {
                    subs.add(new AcmeProblem.Sub("unsupportedIdentifier", "identifier type '"
                            + (type.length() > 20 ? type.substring(0, 20) : type) + "' is not supported; use dns or ip", null));
                    continue;
                }
            }
            if (type.equals("dns") && (value.endsWith(".") || !value.equals(value.toLowerCase(java.util.Locale.ROOT)))) {
                subs.add(new AcmeProblem.Sub("malformed", "DNS identifiers are written lower case without a trailing dot", id));
                continue;
            }
            if (seen.add(id.toString())) {
                out.add(id);
            }
        }
        return out;
    }

    /** POST-as-GET /acme/order/:id. */
    Reply order(RoutingContext ctx, AcmeRequest req) {
        req.requirePostAsGet();
        AcmeOrder order = owned(ctx.pathParam("id"), req);
        Instant now = s.clock().instant();
        AcmeStatus status = AcmeOrders.statusOf(order, s.store().authorizationsOf(order), now);
        Reply r = Reply.ok(AcmeViews.order(order, status, req.urls())).location(req.urls().order(order.id()));
        return status == AcmeStatus.PROCESSING ? r.retryAfter(java.time.Duration.ofSeconds(1)) : r;
    }

    AcmeOrder owned(String orderId, AcmeRequest req) {
        AcmeAccount account = req.requireAccount();
        AcmeOrder order = s.store().order(orderId).orElseThrow(() -> AcmeProblem.notFound("no such order"));
        if (order.accountId() != account.id()) {
            throw AcmeProblem.unauthorized("the order belongs to another account");
        }
        return order;
    }

    /** POST /acme/order/:id/finalize (§7.4): one certificate per order, however many finalizes race (T11). */
    Reply finalizeOrder(RoutingContext ctx, AcmeRequest req) {
        AcmeOrder order = owned(ctx.pathParam("id"), req);
        Instant now = s.clock().instant();
        List<AcmeAuthorization> authzs = s.store().authorizationsOf(order);
        AcmeStatus status = AcmeOrders.statusOf(order, authzs, now);
        if (status != AcmeStatus.READY) {
            throw AcmeProblem.of("orderNotReady", 403, "the order is " + status.label() + ", not ready; "
                    + (status == AcmeStatus.PENDING ? "complete its authorizations first" : "it cannot be finalized"));
        }
        String csrB64 = AcmeJson.requiredText(req.jws().payloadObject(), "csr", "the payload");
        byte[] der;
        try {
            der = Base64.getUrlDecoder().decode(csrB64);
        } catch (IllegalArgumentException e) {
            throw AcmeProblem.of("badCSR", 400, "'csr' is not base64url DER");
        }
        if (der.length > CertificationRequest.MAX_BYTES) {
            throw AcmeProblem.of("badCSR", 400, "the CSR is larger than " + CertificationRequest.MAX_BYTES + " bytes");
        }
        // Only the requested key is read here; the authority parses the CSR in full (proof of possession, names,
        // extensions) once, in issue() below, and its refusals come back as badCSR or badPublicKey.
        byte[] requestedKey;
        try {
            requestedKey = CertificationRequest.requestedKeyInfo(der);
        } catch (CaException e) {
            throw AcmeProblem.of("badCSR", 400, e.detail());
        }
        if (java.util.Arrays.equals(requestedKey, req.key().getPublicKey().getEncoded())) {
            throw AcmeProblem.of("badCSR", 400, "the CSR's key is the account key; use a separate key for the certificate");
        }
        recheckCaa(authzs, now, req.urls().account(order.accountId()));
        IssuanceRequest request = new IssuanceRequest(s.settings().ca(), order.profile(), der, order.identifiers(),
                "acme:account/" + order.accountId(), provenance(order, authzs));
        if (!s.store().startProcessing(order.id(), s.clock().instant())) {
            throw AcmeProblem.of("orderNotReady", 403, "the order is already being finalized or is final");
        }
        IssuedCertificate issued;
        try {
            issued = s.authority().issue(request);
        } catch (CaException e) {
            AcmeProblem p = e.kind() == CaException.Kind.TOKEN_UNAVAILABLE || e.kind() == CaException.Kind.LEDGER_UNAVAILABLE
                    ? AcmeProblem.of(e) : csrProblem(e);
            if (p.status() == 503 || REFUSED_BEFORE_SIGNING.contains(e.kind())) {
                // Nothing was signed: a refused CSR (the core's policy step comes before any intent) or an outage
                // leaves the order ready, for a corrected CSR or a later retry.
                s.store().transitionOrder(order.id(), AcmeStatus.PROCESSING, AcmeStatus.PENDING, null);
            } else {
                s.store().transitionOrder(order.id(), AcmeStatus.PROCESSING, AcmeStatus.INVALID,
                        AcmeJson.write(AcmeReplies.body(p, null)));
                s.metrics().order("invalid");
            }
            throw p;
        } catch (RuntimeException e) {
            s.store().transitionOrder(order.id(), AcmeStatus.PROCESSING, AcmeStatus.PENDING, null);
            throw e;
        }
        s.store().completeOrder(order.id(), issued.record().issuer(), issued.record().serial().hex());
        s.metrics().order("valid");
        AcmeOrder done = s.store().order(order.id()).orElseThrow();
        return Reply.ok(AcmeViews.order(done, AcmeStatus.VALID, req.urls())).location(req.urls().order(order.id()));
    }

    /**
     * CAA again for authorizations validated more than 8 hours ago (BR 3.2.2.8: CAA is checked within 8 hours of
     * issuance; RELIABILITY I6: every identifier is rechecked independently when stale).
     */
    private void recheckCaa(List<AcmeAuthorization> authzs, Instant now, String accountUrl) {
        if (!s.settings().validation().caaEnabled()) {
            return;
        }
        for (AcmeAuthorization a : authzs) {
            if (a.validatedAt() != null && a.validatedAt().isBefore(now.minus(java.time.Duration.ofHours(8)))) {
                Validator.Outcome outcome;
                try {
                    outcome = s.validator().checkCaa(a.identifier(), a.wildcard(),
                            new Validator.CaaRequest(accountUrl, a.validationMethod())).join(); // RFC 8657
                } catch (java.util.concurrent.CompletionException e) {
                    // The validator refused or could not run the lookup: nothing was decided, the order stays ready.
                    throw AcmeProblem.unavailable("the CAA recheck of " + a.identifier() + " could not be run now; "
                            + "finalize again shortly");
                }
                if (!outcome.valid()) {
                    throw AcmeProblem.of(outcome.problemType(), 403, a.identifier() + ": " + outcome.detail());
                }
            }
        }
    }

    private static AcmeProblem csrProblem(CaException e) {
        AcmeProblem p = AcmeProblem.of(e);
        if (p.status() == 500 || p.status() == 503) {
            return p;
        }
        return "badPublicKey".equals(p.type()) ? p : AcmeProblem.of("badCSR", 400, e.detail().lines().findFirst().orElse("")
                + (e.subproblems().isEmpty() ? "" : ": " + e.subproblems().stream().map(CaException.Subproblem::detail)
                .collect(Collectors.joining("; "))));
    }

    private static Provenance provenance(AcmeOrder order, List<AcmeAuthorization> authzs) {
        String methods = authzs.stream().map(AcmeAuthorization::validationMethod).filter(java.util.Objects::nonNull)
                .distinct().sorted().collect(Collectors.joining(","));
        Instant latest = authzs.stream().map(AcmeAuthorization::validatedAt).filter(java.util.Objects::nonNull)
                .max(Instant::compareTo).orElse(null);
        return new Provenance("acme", "order/" + order.id(), methods.isEmpty() ? null : methods, latest, null);
    }

    static String randomId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A challenge token: 256 random bits (RFC 8555 §8.1 asks for at least 128). */
    static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
