package dev.flotilla.benchmarks;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import io.helidon.http.media.MediaContext;
import io.helidon.http.media.jackson.JacksonSupport;

/**
 * The JSON of the raw side of a comparison: plain Jackson and Helidon's Jackson media support, set up as Flotilla sets
 * up its own (tolerant readers, ISO-8601 dates), so that both sides of a ratio do the same JSON work and the ratio
 * measures what Flotilla adds around it.
 */
public final class RawJson {
    private RawJson() {
    }

    /**
     * A mapper set up as Flotilla's.
     *
     * @return a new mapper
     */
    public static ObjectMapper mapper() {
        return new ObjectMapper()
                .registerModules(new ParameterNamesModule(), new Jdk8Module(), new JavaTimeModule())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false);
    }

    /**
     * Helidon media support for JSON with {@code mapper}.
     *
     * @param mapper the mapper
     * @return the media context
     */
    public static MediaContext media(ObjectMapper mapper) {
        return MediaContext.builder().addMediaSupport(JacksonSupport.create(mapper)).build();
    }
}
