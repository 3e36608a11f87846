package dev.hallmark.api;

import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.profile.Profile;
import dev.hallmark.authority.profile.ProfileCatalog;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.server.Caller;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code GET /api/v1/profiles} and {@code GET /api/v1/profiles/{name}}: the certificate profiles the authority
 * issues under, in the vocabulary of {@code profiles.yaml}.
 */
final class ProfileHandler {
    private final ProfileCatalog profiles;

    ProfileHandler(ProfileCatalog profiles) {
        this.profiles = profiles;
    }

    /**
     * A profile (schema {@code Profile}).
     *
     * @param name             its name
     * @param version          its version, recorded with every certificate issued under it
     * @param description      one line for humans
     * @param validity         ISO-8601 duration of issued certificates
     * @param backdate         ISO-8601 duration notBefore is set back by
     * @param keyTypes         subject key types accepted
     * @param keyUsage         keyUsage bits, YAML spelling
     * @param extendedKeyUsage EKU purposes, YAML spelling
     * @param subjectAltNames  which SANs may and must be requested
     * @param commonName       how the subject CN is formed
     * @param ocspNoCheck      whether id-pkix-ocsp-nocheck is added
     * @param channels         the request channels that may use it
     */
    record ProfileView(String name, int version, String description, String validity, String backdate,
                       List<String> keyTypes, List<String> keyUsage, List<String> extendedKeyUsage,
                       SanRules subjectAltNames, String commonName, boolean ocspNoCheck, List<String> channels) {
        static ProfileView of(Profile p) {
            return new ProfileView(p.name(), p.version(), p.description(), p.validity().toString(), p.backdate().toString(),
                    p.keyTypes().stream().map(KeyType::cliName).sorted().toList(),
                    yamlNames(p.keyUsage().stream().map(Enum::name)),
                    p.extendedKeyUsage().stream().map(e -> yamlName(e.name())).toList(),
                    new SanRules(p.sanTypes().stream().map(Identifier.Type::label).sorted().toList(), p.sanRequired(), p.maxSans()),
                    yamlName(p.commonName().name()), p.ocspNoCheck(),
                    (p.channels().isEmpty() ? ProfileCatalog.CHANNELS : p.channels()).stream().sorted().toList());
        }
    }

    /**
     * @param types    allowed SAN types
     * @param required at least one SAN must be requested
     * @param max      most SANs accepted
     */
    record SanRules(List<String> types, boolean required, int max) {
    }

    void list(RoutingContext ctx, Caller caller) {
        QueryParams.of(ctx, Set.of());
        Replies.json(ctx, profiles.all().stream().sorted(Comparator.comparing(Profile::name)).map(ProfileView::of).toList());
    }

    void get(RoutingContext ctx, Caller caller) {
        QueryParams.of(ctx, Set.of());
        Replies.json(ctx, ProfileView.of(profiles.get(ctx.pathParam("name"))));
    }

    private static List<String> yamlNames(Stream<String> names) {
        return names.map(ProfileHandler::yamlName).sorted().toList();
    }

    private static String yamlName(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
