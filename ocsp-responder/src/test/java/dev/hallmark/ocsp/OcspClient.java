package dev.hallmark.ocsp;

import dev.hallmark.server.testing.TestServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.bc.BcDigestCalculatorProvider;

/** A small BouncyCastle OCSP client for tests: builds requests, sends them by POST or GET, parses answers. */
final class OcspClient {
    private final TestServer server;

    OcspClient(TestServer server) {
        this.server = server;
    }

    static DigestCalculator digest(org.bouncycastle.asn1.ASN1ObjectIdentifier alg) {
        try {
            // NULL parameters, as OpenSSL, NSS and Go encode them (and as pre-signed responses are keyed)
            return new BcDigestCalculatorProvider().get(new AlgorithmIdentifier(alg, org.bouncycastle.asn1.DERNull.INSTANCE));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    static CertificateID id(X509CertificateHolder issuer, BigInteger serial) {
        return id(issuer, serial, CertificateID.HASH_SHA1.getAlgorithm());
    }

    static CertificateID id(X509CertificateHolder issuer, BigInteger serial, org.bouncycastle.asn1.ASN1ObjectIdentifier hash) {
        try {
            return new CertificateID(digest(hash), issuer, serial);
        } catch (org.bouncycastle.cert.ocsp.OCSPException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] request(CertificateID... ids) {
        return request(null, ids);
    }

    static byte[] request(byte[] nonce, CertificateID... ids) {
        try {
            OCSPReqBuilder b = new OCSPReqBuilder();
            for (CertificateID id : ids) {
                b.addRequest(id);
            }
            if (nonce != null) {
                b.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                        new DEROctetString(new DEROctetString(nonce)))));
            }
            OCSPReq r = b.build();
            return r.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] nonce(int length) {
        byte[] n = new byte[length];
        new SecureRandom().nextBytes(n);
        return n;
    }

    HttpResponse<byte[]> post(byte[] body) {
        return post(body, "application/ocsp-request");
    }

    HttpResponse<byte[]> post(byte[] body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.http("/ocsp")).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    HttpResponse<byte[]> get(byte[] request) {
        String b64 = Base64.getEncoder().encodeToString(request);
        return getRaw(URLEncoder.encode(b64, StandardCharsets.US_ASCII));
    }

    HttpResponse<byte[]> getRaw(String encodedPath) {
        return send(HttpRequest.newBuilder(URI.create(server.http("/ocsp/").toString() + encodedPath)).GET().build());
    }

    HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return server.client().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static OCSPResp parse(HttpResponse<byte[]> r) {
        try {
            return new OCSPResp(r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static BasicOCSPResp basic(HttpResponse<byte[]> r) {
        try {
            OCSPResp resp = parse(r);
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                throw new AssertionError("OCSP status " + resp.getStatus());
            }
            return (BasicOCSPResp) resp.getResponseObject();
        } catch (org.bouncycastle.cert.ocsp.OCSPException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<BigInteger> serials(BasicOCSPResp r) {
        List<BigInteger> out = new ArrayList<>();
        for (var s : r.getResponses()) {
            out.add(s.getCertID().getSerialNumber());
        }
        return out;
    }
}
