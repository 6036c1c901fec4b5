package dev.flotilla.messaging;

import java.net.URI;
import java.util.Optional;

/** The identity the NATS transport presents: connection name, $SRV name, version and HTTP URL. */
record ServiceIdentity(String name, String version, Optional<URI> httpUri) {

    /** NATS service names allow only letters, digits, '-' and '_'. */
    static String natsServiceName(String name) {
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** NATS services need a semantic version: "1.2" becomes "1.2.0", anything else "0.0.0". */
    static String semver(String version) {
        if (version.matches("\\d+\\.\\d+\\.\\d+([-+].*)?")) {
            return version;
        }
        if (version.matches("\\d+\\.\\d+")) {
            return version + ".0";
        }
        if (version.matches("\\d+")) {
            return version + ".0.0";
        }
        return "0.0.0";
    }
}
