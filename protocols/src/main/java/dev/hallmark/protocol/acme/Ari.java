package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.protocol.acme.AcmeReplies.Reply;
import io.vertx.ext.web.RoutingContext;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * ACME Renewal Information (RFC 9773): the suggested renewal window of a certificate, named by its certificate id
 * ({@code base64url(AKI keyIdentifier) "." base64url(serial)}), and the {@code replaces} member of newOrder.
 *
 * <p>The window is the fifth sixth of the certificate's lifetime (from 2/3 to 5/6 of it), so clients renew well
 * before expiry without all renewing at one instant. It moves into the past — renew now — when the certificate is
 * revoked or an operator marks an incident with {@code hallmark acme renew-early}.
 */
final class Ari {
    /** How often clients should ask again (RFC 9773 §4.3: {@code Retry-After}). */
    static final Duration RETRY_AFTER = Duration.ofHours(6);
    private final AcmeServices s;

    Ari(AcmeServices services) {
        this.s = services;
    }

    /** A certificate found by its ARI id. */
    record Found(CertificateRecord certificate, String certId) {
    }

    /** GET /acme/renewal-info/:certid (unauthenticated, RFC 9773 §4.1). */
    Reply renewalInfo(RoutingContext ctx) {
        Found f = find(ctx.pathParam("certid")).orElseThrow(() -> AcmeProblem.notFound("no certificate with this id"));
        CertificateRecord c = f.certificate();
        Instant now = s.clock().instant();
        Instant start;
        Instant end;
        Optional<Instant> early = c.revokedAt() != null ? Optional.of(c.revokedAt())
                : s.store().renewEarlySince(c.issuer(), c.serial().hex(), c.notBefore());
        if (early.isPresent()) {
            start = early.get().isBefore(now) ? early.get() : now;
            end = start.plus(Duration.ofMinutes(1));
        } else {
            Duration life = Duration.between(c.notBefore(), c.notAfter());
            start = c.notAfter().minus(life.dividedBy(3));
            end = c.notAfter().minus(life.dividedBy(6));
        }
        ObjectNode o = AcmeJson.newObject();
        ObjectNode w = o.putObject("suggestedWindow");
        w.put("start", AcmeViews.time(start));
        w.put("end", AcmeViews.time(end));
        ctx.response().putHeader("Retry-After", Long.toString(RETRY_AFTER.toSeconds()));
        return Reply.ok(o);
    }

    /**
     * Checks newOrder's {@code replaces} (RFC 9773 §5): the certificate exists, was issued to this account or names
     * only identifiers the account is authorized for, shares an identifier with the order, and no other order
     * replacing it is in progress or done.
     */
    void checkReplaces(String certId, AcmeAccount account, List<Identifier> orderIds) {
        Found f = find(certId).orElseThrow(() -> AcmeProblem.malformed("'replaces' names no certificate of this CA"));
        CertificateRecord c = f.certificate();
        boolean ours = s.store().orderByCertificate(c.issuer(), c.serial().hex()).map(o -> o.accountId() == account.id())
                .orElse(false);
        if (!ours && !s.store().authorizedFor(account.id(), c.identifiers(), s.clock().instant())) {
            throw AcmeProblem.unauthorized("'replaces' names a certificate this account did not order and is not "
                    + "authorized for");
        }
        if (c.identifiers().stream().noneMatch(orderIds::contains)) {
            throw AcmeProblem.malformed("the order shares no identifier with the certificate it replaces");
        }
        if (s.store().replacementInProgress(certId, s.clock().instant())) {
            throw AcmeProblem.of("alreadyReplaced", 409, "another order already replaces this certificate");
        }
    }

    /** The certificate an ARI id names, if this server issued it. */
    Optional<Found> find(String certId) {
        if (certId == null || certId.length() > 200) {
            return Optional.empty();
        }
        int dot = certId.indexOf('.');
        if (dot <= 0 || dot != certId.lastIndexOf('.')) {
            throw AcmeProblem.malformed("a certificate id is base64url(keyIdentifier).base64url(serial)");
        }
        byte[] aki;
        byte[] serialBytes;
        try {
            aki = Base64.getUrlDecoder().decode(certId.substring(0, dot));
            serialBytes = Base64.getUrlDecoder().decode(certId.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw AcmeProblem.malformed("the certificate id is not base64url");
        }
        if (serialBytes.length == 0 || serialBytes.length > 21 || serialBytes[0] < 0) {
            throw AcmeProblem.malformed("the certificate id's serial is not a positive DER INTEGER");
        }
        SerialNumber serial = new SerialNumber(new BigInteger(1, serialBytes));
        for (String ca : s.authority().cas()) {
            Optional<CertificateRecord> c = s.authority().certificate(ca, serial);
            if (c.isPresent() && Arrays.equals(aki, keyIdentifier(c.get()))) {
                return Optional.of(new Found(c.get(), certId));
            }
        }
        return Optional.empty();
    }

    /** The ARI id of a certificate. */
    static String certId(CertificateRecord c) {
        byte[] serial = c.serial().value().toByteArray();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(keyIdentifier(c)) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(serial);
    }

    private static byte[] keyIdentifier(CertificateRecord c) {
        try {
            AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.fromExtensions(new X509CertificateHolder(c.der()).getExtensions());
            return aki == null || aki.getKeyIdentifierObject() == null ? new byte[0] : aki.getKeyIdentifierObject().getOctets();
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }

}
