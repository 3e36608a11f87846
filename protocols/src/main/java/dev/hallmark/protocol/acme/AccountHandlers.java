package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.policy.IdentifierSyntax;
import dev.hallmark.protocol.acme.AcmeReplies.Reply;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwk.PublicJsonWebKey;

/** newAccount, the account resource, its orders list and key rollover (RFC 8555 §7.3, §7.1.2.1). */
final class AccountHandlers {
    private static final int MAX_CONTACTS = 10;
    static final int ORDERS_PAGE = 100;
    /** One address, no header fields; the scheme is case-insensitive (RFC 3986 §3.1), the domain checked below. */
    private static final Pattern MAILTO = Pattern.compile("(?i)mailto:[A-Za-z0-9._%+'-]{1,64}@([A-Za-z0-9.-]{1,253})");

    private final AcmeServices s;

    AccountHandlers(AcmeServices services) {
        this.s = services;
    }

    /** POST /acme/new-account (§7.3, §7.3.1, §7.3.4). */
    Reply newAccount(RoutingContext ctx, AcmeRequest req) {
        ObjectNode p = req.jws().payloadObject();
        boolean onlyExisting = AcmeJson.bool(p, "onlyReturnExisting", false, "the payload");
        if (req.account() != null) {
            if (req.account().status() != AcmeStatus.VALID) {
                throw AcmeProblem.accountNotValid("the account of this key is " + req.account().status().label());
            }
            return Reply.ok(AcmeViews.account(req.account(), req.urls())).location(req.urls().account(req.account().id()));
        }
        if (onlyExisting) {
            throw AcmeProblem.of("accountDoesNotExist", 400, "no account exists for this key (onlyReturnExisting)");
        }
        boolean agreed = AcmeJson.bool(p, "termsOfServiceAgreed", false, "the payload");
        if (s.settings().termsOfService() != null && !agreed) {
            throw AcmeProblem.malformed("agree to the terms of service (" + s.settings().termsOfService()
                    + ") with termsOfServiceAgreed: true");
        }
        List<String> contacts = contacts(p);
        String eabKid = null;
        JsonNode eab = p.get("externalAccountBinding");
        if (eab != null && !eab.isNull()) {
            eabKid = verifyBinding(eab, req);
        } else if (s.settings().externalAccountRequired()) {
            throw AcmeProblem.of("externalAccountRequired", 400, "this server requires an external account binding; "
                    + "ask the operator for an EAB key (hallmark acme eab create)");
        }
        String ip = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
        s.limiter().count("newAccountsPerIp", "ip:" + ip + ":accounts", s.settings().limits().newAccountsPerIp());
        AcmeAccount created;
        try {
            created = s.store().createAccount(new AcmeAccount(0, req.thumbprint(), AcmeJws.publicJson(req.key()),
                    AcmeStatus.VALID, contacts, agreed, eabKid, s.clock().instant()));
        } catch (AcmeStore.DuplicateException e) {
            Optional<AcmeAccount> existing = s.store().accountByThumbprint(req.thumbprint());
            if (existing.isPresent()) { // a concurrent newAccount with the same key won: same answer as a retry
                return Reply.ok(AcmeViews.account(existing.get(), req.urls())).location(req.urls().account(existing.get().id()));
            }
            throw AcmeProblem.unauthorized("the external account binding key was used already or withdrawn");
        }
        s.metrics().accountCreated();
        return Reply.json(201, AcmeViews.account(created, req.urls())).location(req.urls().account(created.id()));
    }

    private static List<String> contacts(ObjectNode p) {
        JsonNode c = p.get("contact");
        List<String> out = new ArrayList<>();
        if (c == null || c.isNull()) {
            return out;
        }
        if (!c.isArray()) {
            throw AcmeProblem.malformed("'contact' must be an array of URLs");
        }
        if (c.size() > MAX_CONTACTS) {
            throw AcmeProblem.of("invalidContact", 400, "at most " + MAX_CONTACTS + " contacts");
        }
        for (JsonNode e : c) {
            if (!e.isTextual()) {
                throw AcmeProblem.malformed("'contact' entries must be strings");
            }
            String url = e.asText();
            if (!url.regionMatches(true, 0, "mailto:", 0, 7)) {
                throw AcmeProblem.of("unsupportedContact", 400, "only mailto: contacts are supported");
            }
            java.util.regex.Matcher m = MAILTO.matcher(url);
            if (!m.matches() || IdentifierSyntax.dnsProblem(m.group(1).toLowerCase(java.util.Locale.ROOT), false).isPresent()) {
                throw AcmeProblem.of("invalidContact", 400, "'" + (url.length() > 80 ? url.substring(0, 80) + "…" : url)
                        + "' is not a single mailto: address (with a valid domain, without header fields)");
            }
            out.add(url);
        }
        return out;
    }

    /**
     * Checks an external account binding (§7.3.4): a JWS over the account's JWK, MACed (HS256/384/512) with the EAB
     * key named by its {@code kid}, for this URL, without a nonce.
     *
     * @return the EAB kid
     */
    private String verifyBinding(JsonNode eab, AcmeRequest req) {
        if (!eab.isObject()) {
            throw AcmeProblem.malformed("externalAccountBinding must be a JWS object");
        }
        String prot = AcmeJson.requiredText(eab, "protected", "the external account binding");
        String payload = AcmeJson.requiredText(eab, "payload", "the external account binding");
        String sig = AcmeJson.requiredText(eab, "signature", "the external account binding");
        ObjectNode header = AcmeJson.object(b64(prot), "the external account binding header");
        String alg = AcmeJson.requiredText(header, "alg", "the external account binding header");
        String macAlg = switch (alg) {
            case "HS256" -> "HmacSHA256";
            case "HS384" -> "HmacSHA384";
            case "HS512" -> "HmacSHA512";
            default -> throw AcmeProblem.badSignatureAlgorithm("the external account binding must be MACed with HS256, "
                    + "HS384 or HS512, not '" + alg + "'", List.of("HS256", "HS384", "HS512"));
        };
        if (header.has("nonce")) {
            throw AcmeProblem.malformed("the external account binding must not carry a nonce (RFC 8555 §7.3.4)");
        }
        if (!req.urls().newAccount().equals(AcmeJson.text(header, "url", "the external account binding header"))) {
            throw AcmeProblem.unauthorized("the external account binding was made for another URL");
        }
        String kid = AcmeJson.requiredText(header, "kid", "the external account binding header");
        PublicJsonWebKey bound = AcmeJws.key(AcmeJson.object(b64(payload), "the external account binding payload"),
                keyAlg(req.key()));
        if (!AcmeJws.thumbprint(bound).equals(req.thumbprint())) {
            throw AcmeProblem.malformed("the external account binding binds another key than the one signing this request");
        }
        byte[] key = s.eab().hmacKey(kid).orElseThrow(() -> AcmeProblem.unauthorized(
                "the external account binding key is unknown, used already or withdrawn"));
        try {
            Mac mac = Mac.getInstance(macAlg);
            mac.init(new SecretKeySpec(key, macAlg));
            byte[] expected = mac.doFinal((prot + "." + payload).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            if (!MessageDigest.isEqual(expected, b64(sig))) {
                throw AcmeProblem.unauthorized("the external account binding MAC does not verify");
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HMAC unavailable", e);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
        return kid;
    }

    private static String keyAlg(PublicJsonWebKey key) {
        return switch (key.getKeyType()) {
            case "RSA" -> "RS256";
            case "OKP" -> "EdDSA";
            default -> "P-384".equals(((org.jose4j.jwk.EllipticCurveJsonWebKey) key).getCurveName()) ? "ES384" : "ES256";
        };
    }

    private static byte[] b64(String s) {
        try {
            return Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw AcmeProblem.malformed("the external account binding is not base64url");
        }
    }

    /** POST /acme/acct/:id — read, update contacts, deactivate (§7.3.2, §7.3.6). */
    Reply account(RoutingContext ctx, AcmeRequest req) {
        AcmeAccount a = own(ctx, req);
        if (req.jws().postAsGet()) {
            return Reply.ok(AcmeViews.account(a, req.urls())).location(req.urls().account(a.id()));
        }
        ObjectNode p = req.jws().payloadObject();
        String status = AcmeJson.text(p, "status", "the payload");
        if (status != null) {
            if (!"deactivated".equals(status)) {
                throw AcmeProblem.malformed("an account's status can only be set to 'deactivated'");
            }
            s.store().deactivateAccount(a.id(), AcmeStatus.DEACTIVATED);
        } else if (p.has("contact")) {
            s.store().updateContacts(a.id(), contacts(p));
        }
        AcmeAccount now = s.store().account(a.id()).orElseThrow();
        return Reply.ok(AcmeViews.account(now, req.urls())).location(req.urls().account(a.id()));
    }

    /** POST-as-GET /acme/acct/:id/orders (§7.1.2.1), 100 per page with {@code Link: rel="next"}. */
    Reply orders(RoutingContext ctx, AcmeRequest req) {
        AcmeAccount a = own(ctx, req);
        req.requirePostAsGet();
        int page = 0;
        String cursor = ctx.request().getParam("page");
        if (cursor != null) {
            try {
                page = Integer.parseInt(cursor);
            } catch (NumberFormatException e) {
                throw AcmeProblem.malformed("page must be a number");
            }
            if (page < 0 || page > 100_000) {
                throw AcmeProblem.malformed("page out of range");
            }
        }
        List<String> ids = s.store().orderIds(a.id(), s.clock().instant(), page * ORDERS_PAGE, ORDERS_PAGE + 1);
        ObjectNode o = AcmeJson.newObject();
        ArrayNode arr = o.putArray("orders");
        ids.stream().limit(ORDERS_PAGE).forEach(id -> arr.add(req.urls().order(id)));
        Reply r = Reply.ok(o);
        if (ids.size() > ORDERS_PAGE) {
            r = r.link(req.urls().orders(a.id()) + "?page=" + (page + 1), "next");
        }
        return r;
    }

    private static AcmeAccount own(RoutingContext ctx, AcmeRequest req) {
        AcmeAccount a = req.requireAccount();
        if (!Long.toString(a.id()).equals(ctx.pathParam("id"))) {
            throw AcmeProblem.unauthorized("an account can only read and change itself");
        }
        return a;
    }

    /** POST /acme/key-change (§7.3.5). */
    Reply keyChange(RoutingContext ctx, AcmeRequest req) {
        AcmeAccount a = req.requireAccount();
        AcmeJws inner = AcmeJws.parse(req.jws().payload());
        if (inner.jwk() == null || inner.kid() != null) {
            throw AcmeProblem.malformed("the inner JWS must carry the new key as 'jwk' and no 'kid'");
        }
        if (inner.nonce() != null) {
            throw AcmeProblem.malformed("the inner JWS must not carry a nonce (RFC 8555 §7.3.5)");
        }
        if (!req.jws().url().equals(inner.url())) {
            throw AcmeProblem.malformed("the inner JWS 'url' differs from the outer one");
        }
        PublicJsonWebKey newKey = inner.embeddedKey();
        inner.verify(newKey);
        ObjectNode p = inner.payloadObject();
        if (!req.urls().account(a.id()).equals(AcmeJson.requiredText(p, "account", "the key-change payload"))) {
            throw AcmeProblem.malformed("the key-change payload names another account than the outer 'kid'");
        }
        JsonNode old = p.get("oldKey");
        if (old == null || !old.isObject()) {
            throw AcmeProblem.malformed("the key-change payload lacks 'oldKey'");
        }
        PublicJsonWebKey oldKey = AcmeJws.key(old, keyAlg(req.key()));
        if (!AcmeJws.thumbprint(oldKey).equals(a.thumbprint())) {
            throw AcmeProblem.unauthorized("'oldKey' is not the account's current key");
        }
        String newThumb = AcmeJws.thumbprint(newKey);
        if (newThumb.equals(a.thumbprint())) {
            throw AcmeProblem.malformed("the new key is the current key");
        }
        Optional<AcmeAccount> taken = s.store().accountByThumbprint(newThumb);
        if (taken.isPresent()) {
            throw AcmeProblem.withLocation("malformed", 409, "the new key already belongs to an account",
                    req.urls().account(taken.get().id()));
        }
        try {
            if (!s.store().changeKey(a.id(), a.thumbprint(), newThumb, AcmeJws.publicJson(newKey))) {
                throw AcmeProblem.unauthorized("the account's key changed meanwhile, or the account is not valid");
            }
        } catch (AcmeStore.DuplicateException e) {
            AcmeAccount other = s.store().accountByThumbprint(newThumb).orElseThrow(() -> e);
            throw AcmeProblem.withLocation("malformed", 409, "the new key already belongs to an account",
                    req.urls().account(other.id()));
        }
        AcmeAccount now = s.store().account(a.id()).orElseThrow();
        return Reply.ok(AcmeViews.account(now, req.urls())).location(req.urls().account(a.id()));
    }
}
