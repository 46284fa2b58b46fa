package dev.bisenet.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph of docs/architecture.md, checked on the compiled classes of every module: a
 * dependency against it fails here, with the class and the line that brought it back.
 */
class ArchitectureTest {

    private static JavaClasses imported;

    /** The packages of bisenet-core; none of them may reach libtorch, DJL's engine API or the CLI. */
    private static final String[] CORE = {"dev.bisenet.util..", "dev.bisenet.image..", "dev.bisenet.checkpoint..",
        "dev.bisenet.spec..", "dev.bisenet.export..", "dev.bisenet.data..", "dev.bisenet.infer..", "dev.bisenet.eval.."};

    @BeforeAll
    static void importClasses() {
        imported = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.bisenet");
    }

    /** Every package-level arrow of the graph; anything else is refused. */
    @Test
    void packagesFollowTheModuleGraph() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("util").definedBy("dev.bisenet.util..")
                .layer("image").definedBy("dev.bisenet.image..")
                .layer("checkpoint").definedBy("dev.bisenet.checkpoint..")
                .layer("spec").definedBy("dev.bisenet.spec..")
                .layer("export").definedBy("dev.bisenet.export..")
                .layer("data").definedBy("dev.bisenet.data..")
                .layer("infer").definedBy("dev.bisenet.infer..")
                .layer("eval").definedBy("dev.bisenet.eval..")
                .layer("model").definedBy("dev.bisenet.model..")
                .layer("torch").definedBy("dev.bisenet.torch..")
                .layer("train").definedBy("dev.bisenet.train..")
                .layer("video").definedBy("dev.bisenet.video..")
                .layer("cli").definedBy("dev.bisenet.cli..")
                // bisenet-spark sits on cli and is not on this module's classpath (SparkArchitectureTest
                // there checks its classes); declared so that nothing here may use it
                .optionalLayer("spark").definedBy("dev.bisenet.spark..")
                // bisenet-core, bottom to top
                .whereLayer("util").mayNotAccessAnyLayer()
                .whereLayer("image").mayOnlyAccessLayers("util")
                .whereLayer("checkpoint").mayOnlyAccessLayers("util")
                .whereLayer("spec").mayOnlyAccessLayers("checkpoint", "util")
                .whereLayer("export").mayOnlyAccessLayers("spec", "checkpoint", "image", "util")
                .whereLayer("data").mayOnlyAccessLayers("spec", "image", "util")
                .whereLayer("infer").mayOnlyAccessLayers("data", "export", "spec", "checkpoint", "image", "util")
                .whereLayer("eval").mayOnlyAccessLayers("infer", "data", "image", "util")
                // bisenet-torch
                .whereLayer("model").mayOnlyAccessLayers("spec", "checkpoint", "util")
                .whereLayer("torch").mayOnlyAccessLayers("model", "infer", "spec", "checkpoint", "image", "util")
                .whereLayer("train").mayOnlyAccessLayers("torch", "model", "infer", "data", "spec", "checkpoint", "image", "util")
                // bisenet-video
                .whereLayer("video").mayOnlyAccessLayers("infer", "image", "util")
                // bisenet-cli: may use everything, and no module below it uses it (bisenet-serve and
                // bisenet-spark, above it, are not on this module's classpath: Maven's graph keeps them on top)
                .whereLayer("cli").mayOnlyBeAccessedByLayers("spark")
                .whereLayer("spark").mayNotBeAccessedByAnyLayer()
                .check(imported);
    }

    /** Datasets do not implement the trainer's interfaces: the loader that feeds training lives in train. */
    @Test
    void dataDoesNotDependOnTrain() {
        noClasses().that().resideInAPackage("dev.bisenet.data..")
                .should().dependOnClassesThat().resideInAPackage("dev.bisenet.train..")
                .check(imported);
    }

    /** Images and the model description are below inference: data, train and eval do not import them from infer. */
    @Test
    void imagesAndModelDescriptionAreNotInInfer() {
        noClasses().that().resideInAnyPackage("dev.bisenet.data..", "dev.bisenet.image..", "dev.bisenet.spec..")
                .should().dependOnClassesThat().resideInAPackage("dev.bisenet.infer..")
                .check(imported);
        classes().that().haveSimpleName("Rgb").or().haveSimpleName("Padding").or().haveSimpleName("Preprocess")
                .should().resideInAPackage("dev.bisenet.image")
                .check(imported);
        classes().that().haveSimpleName("ModelInfo").or().haveSimpleName("Sidecar").or().haveSimpleName("OnnxMetadata")
                .should().resideInAPackage("dev.bisenet.spec")
                .check(imported);
    }

    /** int8 calibration is export's job, not evaluation's. */
    @Test
    void calibrationIsNotInEval() {
        noClasses().that().resideInAPackage("dev.bisenet.eval..")
                .should().dependOnClassesThat().resideInAPackage("dev.bisenet.export..")
                .check(imported);
    }

    /** bisenet-core runs on ONNX Runtime alone: no libtorch, no DJL engine types (DJL's modality API may stay). */
    @Test
    void coreNeedsNoLibtorch() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl.pytorch..", "ai.djl.ndarray..", "ai.djl.nn..",
                        "ai.djl.training..", "ai.djl.engine..", "ai.djl.inference..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("ai.djl.Model")
                .check(imported);
    }

    /** Commands parse and delegate: opening a model is ModelLoader's, and picocli stays in the CLI. */
    @Test
    void commandsDoNotOpenModelsThemselves() {
        noClasses().that().resideInAPackage("dev.bisenet.cli..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.bisenet.infer.OnnxBackend")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.bisenet.torch.DjlBackend")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.bisenet.torch.TorchBackendProvider")
                .check(imported);
        noClasses().that().resideOutsideOfPackage("dev.bisenet.cli..")
                .should().dependOnClassesThat().resideInAPackage("picocli..")
                .check(imported);
    }
}
