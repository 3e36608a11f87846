package dev.hallmark.ocsp;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.DerLimits;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPRequest;
import org.bouncycastle.asn1.ocsp.Request;
import org.bouncycastle.asn1.ocsp.TBSRequest;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;

/**
 * A parsed and checked OCSP request (RFC 6960 4.1): what is asked and whether a nonce must be echoed. Parsing is
 * bounded before BouncyCastle sees a byte (size, nesting, definite lengths: RELIABILITY I11); anything that is not a
 * well-formed request gets {@code malformedRequest}, the same for POST and GET (T35, T36).
 *
 * @param certIds the certificates asked about, in request order (1 to {@code ocsp.maxCertIds})
 * @param nonce   the request's nonce extension exactly as received, to echo; null when absent
 */
record OcspQuery(List<Question> certIds, Extension nonce) {

    /** The largest request accepted: ample for {@code ocsp.maxCertIds} CertIDs, a nonce and a signature. */
    static final int MAX_BYTES = 16 * 1024;
    /** RFC 9654 section 2.1: a nonce is 1 to 32 octets. */
    static final int MAX_NONCE = 32;
    private static final DerLimits LIMITS = new DerLimits(MAX_BYTES, 16);
    /** Request extensions understood; anything else critical is refused (RFC 5280 4.2 semantics, T35). */
    private static final Set<ASN1ObjectIdentifier> KNOWN = Set.of(OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
            OCSPObjectIdentifiers.id_pkix_ocsp_response, OCSPObjectIdentifiers.id_pkix_ocsp_pref_sig_algs,
            OCSPObjectIdentifiers.id_pkix_ocsp_service_locator);

    /** The hash algorithms a CertID may use. */
    static final List<ASN1ObjectIdentifier> HASHES = List.of(OIWObjectIdentifiers.idSHA1, NISTObjectIdentifiers.id_sha256,
            NISTObjectIdentifiers.id_sha384, NISTObjectIdentifiers.id_sha512);

    OcspQuery {
        certIds = List.copyOf(certIds);
    }

    /**
     * One CertID.
     *
     * @param certId   as received (echoed in the response)
     * @param hash     its hash algorithm
     * @param nameHash issuerNameHash
     * @param keyHash  issuerKeyHash
     * @param serial   the serial asked about (positive)
     */
    record Question(CertID certId, ASN1ObjectIdentifier hash, byte[] nameHash, byte[] keyHash, BigInteger serial) {
        /**
         * The hash algorithm as the cache keys it: the OID, and whether its parameters were NULL or absent, so an
         * answer always carries the CertID exactly as the client encoded it (clients compare CertIDs).
         */
        String hashKey() {
            return hashKey(hash, certId.getHashAlgorithm().getParameters() != null);
        }

        static String hashKey(ASN1ObjectIdentifier hash, boolean nullParameters) {
            return nullParameters ? hash.getId() : hash.getId() + "/absent";
        }
    }

    /**
     * Parses {@code der}.
     *
     * @param maxCertIds the most CertIDs one request may hold
     * @throws OcspFailure {@code malformedRequest} with the reason
     */
    static OcspQuery parse(byte[] der, int maxCertIds) {
        if (der.length == 0) {
            throw OcspFailure.malformed("empty request");
        }
        try {
            LIMITS.check(der, "OCSP request");
        } catch (CaException e) {
            throw OcspFailure.malformed(e.getMessage());
        }
        OCSPRequest request;
        try (ASN1InputStream in = new ASN1InputStream(der)) {
            ASN1Primitive p = in.readObject();
            if (p == null || in.readObject() != null) {
                throw OcspFailure.malformed("not exactly one DER value");
            }
            request = OCSPRequest.getInstance(p);
        } catch (IOException | RuntimeException e) {
            if (e instanceof OcspFailure f) {
                throw f;
            }
            throw OcspFailure.malformed("not an OCSPRequest: " + e.getMessage(), e);
        }
        try {
            return check(request, maxCertIds);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException e) {
            throw OcspFailure.malformed("not an OCSPRequest: " + e.getMessage(), e);
        }
    }

    private static OcspQuery check(OCSPRequest request, int maxCertIds) {
        TBSRequest tbs = request.getTbsRequest();
        if (tbs.getVersion().intValueExact() != 0) {
            throw OcspFailure.malformed("version " + tbs.getVersion() + " is not v1");
        }
        ASN1Sequence list = tbs.getRequestList();
        if (list.size() == 0) {
            throw OcspFailure.malformed("the requestList is empty");
        }
        if (list.size() > maxCertIds) {
            throw OcspFailure.malformed(list.size() + " CertIDs in one request; at most " + maxCertIds + " (ocsp.maxCertIds)");
        }
        Extension nonce = null;
        Extensions extensions = tbs.getRequestExtensions();
        if (extensions != null) {
            for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
                Extension e = extensions.getExtension(oid);
                if (e.isCritical() && !KNOWN.contains(oid)) {
                    throw OcspFailure.malformed("unknown critical request extension " + oid);
                }
            }
            nonce = extensions.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (nonce != null) {
                int length = nonceLength(nonce);
                if (length < 1 || length > MAX_NONCE) {
                    throw OcspFailure.malformed("a nonce of " + length + " octets; RFC 9654 allows 1 to " + MAX_NONCE);
                }
            }
        }
        List<Question> out = new ArrayList<>(list.size());
        for (ASN1Encodable item : list) {
            Request r = Request.getInstance(item);
            Extensions single = r.getSingleRequestExtensions();
            if (single != null && single.getCriticalExtensionOIDs().length > 0) {
                throw OcspFailure.malformed("unknown critical singleRequestExtension " + single.getCriticalExtensionOIDs()[0]);
            }
            CertID id = r.getReqCert();
            ASN1Encodable params = id.getHashAlgorithm().getParameters();
            if (params != null && !DERNull.INSTANCE.equals(params)) {
                throw OcspFailure.malformed("CertID hash algorithm parameters must be absent or NULL");
            }
            BigInteger serial = id.getSerialNumber().getValue();
            if (serial.signum() < 0) {
                throw OcspFailure.malformed("negative serial number " + serial);
            }
            out.add(new Question(id, id.getHashAlgorithm().getAlgorithm(), id.getIssuerNameHash().getOctets(),
                    id.getIssuerKeyHash().getOctets(), serial));
        }
        return new OcspQuery(out, nonce);
    }

    /**
     * The nonce's length. RFC 8954/9654 define the extension value as an OCTET STRING holding the nonce; some clients
     * put the raw bytes there instead, which is measured as it is.
     */
    private static int nonceLength(Extension nonce) {
        byte[] value = nonce.getExtnValue().getOctets();
        try {
            ASN1Primitive inner = ASN1Primitive.fromByteArray(value);
            if (inner instanceof ASN1OctetString s) {
                return s.getOctets().length;
            }
        } catch (IOException | RuntimeException e) {
            // not DER: raw nonce bytes
        }
        return value.length;
    }

    /** True when the response can come from (and go to) the pre-signed cache: one CertID, no nonce to echo. */
    boolean cacheable(boolean echoNonce) {
        return certIds.size() == 1 && (nonce == null || !echoNonce);
    }
}
