package dev.flotilla.core.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import io.helidon.http.media.MediaContext;
import io.helidon.http.media.jackson.JacksonSupport;

/**
 * Flotilla's one JSON configuration, for servers, clients and problem bodies. Not API: may change without notice.
 *
 * <p>Readers are tolerant: unknown properties are ignored, so adding a field to a response or an event never breaks
 * an older consumer. Dates are ISO-8601 text.
 */
public final class JsonMapping {
    private JsonMapping() {
    }

    /**
     * A new object mapper with Flotilla's settings.
     *
     * @return the mapper
     */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .addModule(new ParameterNamesModule())
                .addModule(new Jdk8Module())
                .addModule(new JavaTimeModule())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
    }

    /**
     * A Helidon media context that reads and writes JSON with the given mapper (other media types as Helidon does).
     *
     * @param mapper the mapper
     * @return the media context
     */
    public static MediaContext mediaContext(ObjectMapper mapper) {
        return MediaContext.builder()
                .addMediaSupport(JacksonSupport.create(mapper))
                .build();
    }
}
