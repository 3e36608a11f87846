package dev.hallmark.cli;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.SerialNumber;
import java.util.List;

/** Picks the CA a serial belongs to when the operator did not say ({@code --ca} omitted). */
final class CaSelection {
    private CaSelection() {
    }

    /**
     * {@code explicit} if given; otherwise the one CA that assigned {@code serial}.
     *
     * @throws CaException {@code NOT_FOUND} when no CA assigned it, {@code CONFLICT} when several did
     */
    static String forSerial(Authority authority, String explicit, SerialNumber serial) {
        if (explicit != null) {
            return explicit;
        }
        List<String> owners = authority.cas().stream().map(CaRecord::name)
                .filter(ca -> authority.serial(ca, serial).isPresent()).toList();
        if (owners.isEmpty()) {
            throw new CaException(CaException.Kind.NOT_FOUND, "no CA here assigned serial " + serial.hex());
        }
        if (owners.size() > 1) {
            throw new CaException(CaException.Kind.CONFLICT, "serial " + serial.hex() + " was assigned by several CAs ("
                    + String.join(", ", owners) + "); say which with --ca");
        }
        return owners.get(0);
    }
}
