package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.protocol.acme.AcmeReplies.Reply;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;

/** Certificate download (RFC 8555 §7.4.2) and revocation (§7.6). */
final class CertificateHandlers {
    /** Larger than any certificate this CA issues; a bigger {@code certificate} is refused before parsing. */
    static final int MAX_CERTIFICATE_BYTES = 32 * 1024;
    private final AcmeServices s;

    CertificateHandlers(AcmeServices services) {
        this.s = services;
    }

    /** POST-as-GET /acme/cert/:ca/:serial: the PEM chain (leaf, then issuers below the root). */
    Reply download(RoutingContext ctx, AcmeRequest req) {
        req.requirePostAsGet();
        AcmeAccount account = req.requireAccount();
        String ca = ctx.pathParam("ca");
        String serial = ctx.pathParam("serial");
        AcmeOrder order = s.store().orderByCertificate(ca, serial).orElseThrow(() -> AcmeProblem.notFound("no such certificate"));
        if (order.accountId() != account.id()) {
            throw AcmeProblem.unauthorized("the certificate was ordered by another account");
        }
        CertificateRecord c = s.authority().certificate(ca, SerialNumber.parse(serial))
                .orElseThrow(() -> AcmeProblem.notFound("no such certificate"));
        List<byte[]> chain = s.authority().chain(ca);
        ByteArrayOutputStream pem = new ByteArrayOutputStream();
        pem(pem, c.der());
        for (int i = 0; i < chain.size(); i++) {
            if (i == chain.size() - 1 && chain.size() > 1) {
                break; // the root is the relying party's trust anchor; it is not sent (RFC 8446 §4.4.2)
            }
            pem(pem, chain.get(i));
        }
        return Reply.bytes(AcmeReplies.PEM_CHAIN, pem.toByteArray());
    }

    private static void pem(ByteArrayOutputStream out, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        out.writeBytes(("-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * POST /acme/revoke-cert, signed by an account that ordered the certificate or holds valid authorizations for
     * every identifier in it, or by the certificate's own key (§7.6). A revoked certificate is revoked again only to
     * raise the reason to keyCompromise, and only with the certificate's key (T41).
     */
    Reply revoke(RoutingContext ctx, AcmeRequest req) {
        ObjectNode p = req.jws().payloadObject();
        String b64 = AcmeJson.requiredText(p, "certificate", "the payload");
        if (b64.length() > MAX_CERTIFICATE_BYTES * 4 / 3 + 4) {
            throw AcmeProblem.malformed("the certificate is larger than any this CA issues");
        }
        byte[] der;
        try {
            der = Base64.getUrlDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw AcmeProblem.malformed("'certificate' is not base64url DER");
        }
        RevocationReason reason = reason(p.get("reason"));
        X509CertificateHolder holder;
        try {
            holder = new X509CertificateHolder(der);
        } catch (java.io.IOException | RuntimeException e) {
            throw AcmeProblem.malformed("'certificate' is not a DER X.509 certificate");
        }
        CertificateRecord c = stored(holder, der).orElseThrow(() -> AcmeProblem.notFound(
                "this CA did not issue that certificate"));
        boolean byCertKey = req.jws().jwk() != null && Arrays.equals(req.key().getPublicKey().getEncoded(),
                encoded(holder));
        if (!byCertKey) {
            AcmeAccount account = req.account();
            if (account == null || req.jws().jwk() != null) {
                throw AcmeProblem.unauthorized("sign with the account that ordered the certificate ('kid') or with the "
                        + "certificate's own key ('jwk')");
            }
            if (account.status() != AcmeStatus.VALID) {
                throw AcmeProblem.accountNotValid("the account is " + account.status().label());
            }
            boolean ordered = s.store().orderByCertificate(c.issuer(), c.serial().hex()).map(o -> o.accountId() == account.id())
                    .orElse(false);
            if (!ordered && !s.store().authorizedFor(account.id(), c.identifiers(), s.clock().instant())) {
                throw AcmeProblem.unauthorized("the account neither ordered this certificate nor holds valid "
                        + "authorizations for all of its identifiers");
            }
        }
        if (c.revokedAt() != null && !(byCertKey && reason == RevocationReason.KEY_COMPROMISE
                && c.revocationReason() != RevocationReason.KEY_COMPROMISE)) {
            throw AcmeProblem.of("alreadyRevoked", 400, "the certificate is already revoked");
        }
        String requester = byCertKey ? "acme:certificate-key" : "acme:account/" + req.account().id();
        s.authority().revoke(new RevocationRequest(c.issuer(), c.serial(), reason, requester));
        return new Reply(200, null, null, null, null, List.of(), null);
    }

    private static byte[] encoded(X509CertificateHolder holder) {
        try {
            return holder.getSubjectPublicKeyInfo().getEncoded();
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }

    private Optional<CertificateRecord> stored(X509CertificateHolder holder, byte[] der) {
        SerialNumber serial = new SerialNumber(holder.getSerialNumber());
        if (serial.value().signum() <= 0) {
            return Optional.empty();
        }
        for (String ca : s.authority().cas()) {
            Optional<CertificateRecord> c = s.authority().certificate(ca, serial);
            if (c.isPresent() && Arrays.equals(c.get().der(), der)) {
                return c;
            }
        }
        return Optional.empty();
    }

    /** RFC 5280 reason codes ACME clients may ask for; hold and the CA-side reasons are refused (BR 7.2.2). */
    private static RevocationReason reason(JsonNode n) {
        if (n == null || n.isNull()) {
            return RevocationReason.UNSPECIFIED;
        }
        if (!n.isInt()) {
            throw AcmeProblem.of("badRevocationReason", 400, "'reason' must be an RFC 5280 reason code");
        }
        return switch (n.asInt()) {
            case 0 -> RevocationReason.UNSPECIFIED;
            case 1 -> RevocationReason.KEY_COMPROMISE;
            case 3 -> RevocationReason.AFFILIATION_CHANGED;
            case 4 -> RevocationReason.SUPERSEDED;
            case 5 -> RevocationReason.CESSATION_OF_OPERATION;
            case 9 -> RevocationReason.PRIVILEGE_WITHDRAWN;
            default -> throw AcmeProblem.of("badRevocationReason", 400, "reason " + n.asInt()
                    + " is not accepted; use 0, 1, 3, 4, 5 or 9");
        };
    }
}
