package dev.hallmark.authority;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A stored, audited certificate and the chain to its root.
 *
 * @param record the stored certificate
 * @param chain  DER of the issuing CA's certificate and its ancestors up to the root
 */
public record IssuedCertificate(CertificateRecord record, List<byte[]> chain) {
    public IssuedCertificate {
        chain = List.copyOf(chain);
    }

    /** The certificate followed by the chain, PEM encoded (RFC 7468). */
    public String pemChain() {
        List<byte[]> all = new ArrayList<>();
        all.add(record.der());
        all.addAll(chain);
        StringBuilder sb = new StringBuilder();
        for (byte[] der : all) {
            sb.append(pem(der));
        }
        return sb.toString();
    }

    /** One certificate as PEM. */
    public static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }
}
