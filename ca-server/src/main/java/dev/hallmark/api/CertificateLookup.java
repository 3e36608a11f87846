package dev.hallmark.api;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.authority.SerialState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a serial from the path: in the CA named by {@code ?ca=}, or in whichever CA assigned it. Blocking (a few
 * indexed reads per CA).
 */
final class CertificateLookup {
    private final Authority authority;

    CertificateLookup(Authority authority) {
        this.authority = authority;
    }

    /**
     * A serial found in one CA's namespace.
     *
     * @param ca          the CA that assigned it
     * @param serial      the serial
     * @param certificate its stored certificate, or null when the issuance outcome is unknown
     * @param record      its serial record when no certificate is stored, else null
     */
    record Found(String ca, SerialNumber serial, CertificateRecord certificate, SerialRecord record) {
        boolean hasCertificate() {
            return certificate != null;
        }
    }

    /**
     * Locates {@code serialText}; aborted serials (never signed) count as absent.
     *
     * @param ca the CA to look in, or empty for every CA
     * @throws CaException {@code MALFORMED} for a serial that is not hex, {@code NOT_FOUND} for an unknown CA or
     *                     serial, {@code CONFLICT} when several CAs assigned it and no {@code ca} was given
     */
    Found find(String serialText, Optional<String> ca) {
        SerialNumber serial = SerialNumber.parse(serialText);
        List<String> names = ca.isPresent() ? List.of(requireCa(ca.get())) : authority.cas().stream().map(CaRecord::name).toList();
        List<Found> hits = new ArrayList<>();
        for (String name : names) {
            find(name, serial).ifPresent(hits::add);
        }
        if (hits.isEmpty()) {
            throw new CaException(CaException.Kind.NOT_FOUND, "no certificate with serial " + serial.hex()
                    + (ca.isPresent() ? " from CA '" + ca.get() + "'" : ""));
        }
        if (hits.size() > 1) {
            throw new CaException(CaException.Kind.CONFLICT, "serial " + serial.hex() + " was assigned by several CAs ("
                    + String.join(", ", hits.stream().map(Found::ca).toList()) + "); add ?ca=NAME");
        }
        return hits.get(0);
    }

    /** Re-reads a serial after a change (revocation). */
    Found reload(Found found) {
        return find(found.ca(), found.serial()).orElseThrow(() -> new CaException(CaException.Kind.INTERNAL,
                "serial " + found.serial().hex() + " of '" + found.ca() + "' vanished"));
    }

    private Optional<Found> find(String ca, SerialNumber serial) {
        Optional<CertificateRecord> certificate = authority.certificate(ca, serial);
        if (certificate.isPresent()) {
            return Optional.of(new Found(ca, serial, certificate.get(), null));
        }
        return authority.serial(ca, serial).filter(s -> s.state() != SerialState.ABORTED)
                .map(s -> new Found(ca, serial, null, s));
    }

    /**
     * The name of an existing CA.
     *
     * @throws CaException {@code NOT_FOUND} otherwise
     */
    String requireCa(String name) {
        return caRecord(name).name();
    }

    /**
     * The stored record of CA {@code name}.
     *
     * @throws CaException {@code NOT_FOUND} when there is no such CA
     */
    CaRecord caRecord(String name) {
        return authority.cas().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND, "no CA '" + shorten(name) + "'"));
    }

    private static String shorten(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
