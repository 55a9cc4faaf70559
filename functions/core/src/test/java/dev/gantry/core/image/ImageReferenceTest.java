package dev.gantry.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

    // From events/gantry-ecr-push-payments-api-1.4.0.json.
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String ECR = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        ECR + "/payments-api:1.4.0                 | " + ECR + " | payments-api  | 1.4.0  | -",
        ECR + "/team/app@" + DIGEST + "            | " + ECR + " | team/app      | -      | " + DIGEST,
        ECR + "/team/app:1.4.0@" + DIGEST + "      | " + ECR + " | team/app      | 1.4.0  | " + DIGEST,
        "nginx                                     | ''          | nginx         | -      | -",
        "nginx:1.27                                | ''          | nginx         | 1.27   | -",
        "library/nginx:1.27                        | ''          | library/nginx | 1.27   | -",
        "public.ecr.aws/x/y:1                      | public.ecr.aws | x/y        | 1      | -",
        "localhost:5000/app:1                      | localhost:5000 | app        | 1      | -",
        "localhost:5000/app                        | localhost:5000 | app        | -      | -",
        "localhost/app                             | localhost   | app           | -      | -",
    })
    void parsesRegistryRepositoryTagAndDigest(String image, String registry, String repository, String tag, String digest) {
        ImageReference reference = ImageReference.parse(image);

        assertThat(reference).isEqualTo(new ImageReference(registry, repository, tag, digest));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        ECR + "/payments-api:1.4.0                                  | 111111111111 | eu-west-1",
        "222222222222.dkr.ecr-fips.us-east-1.amazonaws.com/app:1    | 222222222222 | us-east-1",
        "333333333333.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1     | 333333333333 | cn-north-1",
        "public.ecr.aws/x/y:1                                       | -            | -",
        "nginx:1.27                                                 | -            | -",
        "localhost:5000/app:1                                       | -            | -",
        "dkr.ecr.eu-west-1.amazonaws.com/app:1                      | -            | -",
    })
    void knowsTheAccountAndRegionOfEcrImagesOnly(String image, String account, String region) {
        ImageReference reference = ImageReference.parse(image);

        assertThat(reference.ecrAccount()).isEqualTo(Optional.ofNullable(account));
        assertThat(reference.ecrRegion()).isEqualTo(Optional.ofNullable(region));
    }

    @ParameterizedTest(name = "{0} from {1}/{2}/{3}: {4}")
    @CsvSource(delimiter = '|', value = {
        ECR + "/payments-api:1.4.0                                 | 111111111111 | eu-west-1 | payments-api | true",
        ECR + "/payments-api@" + DIGEST + "                        | 111111111111 | eu-west-1 | payments-api | true",
        "222222222222.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.0 | 111111111111 | eu-west-1 | payments-api | false",
        "111111111111.dkr.ecr.us-east-1.amazonaws.com/payments-api:1.4.0 | 111111111111 | eu-west-1 | payments-api | false",
        ECR + "/payments-api-worker:1.4.0                          | 111111111111 | eu-west-1 | payments-api | false",
        ECR + "/team/payments-api:1.4.0                            | 111111111111 | eu-west-1 | payments-api | false",
        "public.ecr.aws/payments-api:1.4.0                         | 111111111111 | eu-west-1 | payments-api | false",
        "payments-api:1.4.0                                        | 111111111111 | eu-west-1 | payments-api | false",
    })
    void tellsWhetherAnImageComesFromAnEcrRepository(String image, String account, String region, String repository,
            boolean expected) {
        ImageReference reference = ImageReference.parse(image);

        assertThat(reference.isFromEcr(account, region, repository)).isEqualTo(expected);
    }

    @Test
    void ecrRendersTheRepositoryPinnedToTheDigest() {
        ImageReference reference = ImageReference.ecr("111111111111", "eu-west-1", "payments-api", ImageDigest.parse(DIGEST));

        assertThat(reference.render()).isEqualTo("111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api@" + DIGEST);
        assertThat(reference.tag()).isNull();
        assertThat(reference.isFromEcr("111111111111", "eu-west-1", "payments-api")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        ECR + "/payments-api:1.4.0",
        ECR + "/team/app@" + DIGEST,
        ECR + "/team/app:1.4.0@" + DIGEST,
        "nginx",
        "library/nginx:1.27",
        "public.ecr.aws/x/y:1",
        "localhost:5000/app:1",
    })
    void rendersWhatItParsed(String image) {
        ImageReference reference = ImageReference.parse(image);

        assertThat(reference.render()).isEqualTo(image);
        assertThat(reference).hasToString(image);
    }
}
