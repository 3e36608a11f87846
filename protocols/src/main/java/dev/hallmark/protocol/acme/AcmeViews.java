package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.Identifier;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The JSON resources of RFC 8555 §7.1 (accounts, orders, authorizations, challenges). */
final class AcmeViews {
    private AcmeViews() {
    }

    static ObjectNode identifier(Identifier id) {
        ObjectNode o = AcmeJson.newObject();
        o.put("type", id.type().label());
        o.put("value", id.value());
        return o;
    }

    /** RFC 3339 as ACME clients parse it (seconds precision, UTC). */
    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static ObjectNode account(AcmeAccount a, AcmeUrls urls) {
        ObjectNode o = AcmeJson.newObject();
        o.put("status", a.status().label());
        ArrayNode c = o.putArray("contact");
        a.contacts().forEach(c::add);
        if (a.termsAgreed()) {
            o.put("termsOfServiceAgreed", true);
        }
        o.put("orders", urls.orders(a.id()));
        o.put("createdAt", time(a.createdAt()));
        return o;
    }

    static ObjectNode order(AcmeOrder order, AcmeStatus status, AcmeUrls urls) {
        ObjectNode o = AcmeJson.newObject();
        o.put("status", status.label());
        o.put("expires", time(order.expires()));
        ArrayNode ids = o.putArray("identifiers");
        order.identifiers().forEach(i -> ids.add(identifier(i)));
        if (order.notBefore() != null) {
            o.put("notBefore", time(order.notBefore()));
        }
        if (order.notAfter() != null) {
            o.put("notAfter", time(order.notAfter()));
        }
        ArrayNode az = o.putArray("authorizations");
        order.authzIds().forEach(id -> az.add(urls.authorization(id)));
        o.put("finalize", urls.finalizeUrl(order.id()));
        o.put("profile", order.profile());
        if (order.replaces() != null) {
            o.put("replaces", order.replaces());
        }
        if (status == AcmeStatus.VALID && order.certSerial() != null) {
            o.put("certificate", urls.certificate(order.certIssuer(), order.certSerial()));
        }
        if (order.error() != null && status == AcmeStatus.INVALID) {
            o.set("error", AcmeJson.object(order.error().getBytes(java.nio.charset.StandardCharsets.UTF_8), "stored error"));
        }
        return o;
    }

    static ObjectNode authorization(AcmeAuthorization a, Instant now, AcmeUrls urls) {
        ObjectNode o = AcmeJson.newObject();
        o.set("identifier", identifier(a.identifier()));
        AcmeStatus status = a.statusAt(now);
        o.put("status", status.label());
        o.put("expires", time(a.expires()));
        ArrayNode cs = o.putArray("challenges");
        List<AcmeChallenge> shown = a.challenges();
        // §7.1.4: a valid authorization shows the challenge that validated it, an invalid one the challenge that was
        // attempted and failed (one made invalid otherwise, e.g. deactivated, keeps showing its challenges).
        if (status == AcmeStatus.VALID || status == AcmeStatus.INVALID) {
            List<AcmeChallenge> decided = shown.stream().filter(c -> c.status() == status).toList();
            if (status == AcmeStatus.VALID || !decided.isEmpty()) {
                shown = decided;
            }
        }
        shown.forEach(c -> cs.add(challenge(c, urls)));
        if (a.wildcard()) {
            o.put("wildcard", true);
        }
        return o;
    }

    static ObjectNode challenge(AcmeChallenge c, AcmeUrls urls) {
        ObjectNode o = AcmeJson.newObject();
        o.put("type", c.type());
        o.put("url", urls.challenge(c.id()));
        o.put("status", c.status().label());
        o.put("token", c.token());
        if (c.validated() != null) {
            o.put("validated", time(c.validated()));
        }
        if (c.error() != null) {
            o.set("error", AcmeJson.object(c.error().getBytes(java.nio.charset.StandardCharsets.UTF_8), "stored error"));
        }
        return o;
    }
}
