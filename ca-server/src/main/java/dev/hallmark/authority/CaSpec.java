package dev.hallmark.authority;

import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code hallmark init} (or a later {@code hallmark ca create}) asks for when creating a CA.
 *
 * @param name       the CA's name: {@code [a-z0-9][a-z0-9-]{0,62}}; also the serial namespace and URL segment
 * @param subject    RFC 4514 subject, e.g. {@code CN=Example Root CA,O=Example}
 * @param keyType    its key type
 * @param algorithm  the signature algorithm it signs with, or null for the key type's default
 * @param validity   lifetime; a subordinate's is capped at its parent's notAfter
 * @param pathLength basicConstraints pathLenConstraint, or null for none
 */
public record CaSpec(String name, String subject, KeyType keyType, SignatureAlgorithm algorithm, Duration validity,
                     Integer pathLength) {
    public CaSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(validity, "validity");
        if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new CaException(CaException.Kind.MALFORMED, "CA name '" + name
                    + "' must use a-z, 0-9 and '-' (at most 63 characters)");
        }
        algorithm = algorithm == null ? keyType.defaultSignatureAlgorithm() : algorithm;
        if (!algorithm.supports(keyType)) {
            throw new CaException(CaException.Kind.MALFORMED, algorithm + " cannot sign with a " + keyType.cliName() + " key");
        }
        if (validity.isNegative() || validity.isZero()) {
            throw new CaException(CaException.Kind.MALFORMED, "CA validity must be positive");
        }
        if (pathLength != null && pathLength < 0) {
            throw new CaException(CaException.Kind.MALFORMED, "pathLength must not be negative");
        }
    }

    /** The token alias of this CA's key. */
    public String keyAlias() {
        return "ca-" + name;
    }
}
