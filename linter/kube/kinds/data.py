"""Database and messaging operators: CloudNativePG and Strimzi.

Both make their pods themselves from single image fields, with service accounts and pull
secrets of their own making (CloudNativePG adds the operator's pull secret to the cluster's
service account; Strimzi adds the operator's STRIMZI_IMAGE_PULL_SECRETS): those images carry
no pod for the pull-secret and platform checks. A Pooler's template is a pod template.
"""

from __future__ import annotations

from imagelint.kube.kinds.table import Kind, image, kinds, pod

_CNPG = "postgresql.cnpg.io"
_STRIMZI = "kafka.strimzi.io"

KINDS = [
    # https://cloudnative-pg.io/documentation/current/cloudnative-pg.v1/ (ClusterSpec.imageName;
    # PoolerSpec.template: a PodTemplateSpec; PgBouncerSpec.image) and
    # https://cloudnative-pg.io/documentation/current/image_catalog/ (spec.images[].image)
    Kind(_CNPG, "Cluster", (image("spec.imageName"),)),
    *kinds(
        _CNPG,
        ("ImageCatalog", "ClusterImageCatalog"),
        image("spec.images[*].image"),
        image("spec.componentImages[*].image"),  # e.g. PgBouncer's, for Poolers
    ),
    Kind(_CNPG, "Pooler", (pod("spec.template.spec"), image("spec.pgbouncer.image"))),
    # https://strimzi.io/docs/operators/latest/configuring.html (KafkaClusterSpec.image,
    # ZookeeperClusterSpec.image, EntityTopicOperatorSpec.image, EntityUserOperatorSpec.image,
    # TlsSidecar.image, CruiseControlSpec.image, KafkaExporterSpec.image; KafkaConnectSpec.image
    # and build.output.image (type docker: a registry image the Connect pods then run; type
    # imagestream names an OpenShift ImageStream); KafkaMirrorMaker2Spec, KafkaBridgeSpec.image)
    Kind(
        _STRIMZI,
        "Kafka",
        (
            image("spec.kafka.image"),
            image("spec.zookeeper.image"),
            image("spec.entityOperator.topicOperator.image"),
            image("spec.entityOperator.userOperator.image"),
            image("spec.entityOperator.tlsSidecar.image"),
            image("spec.cruiseControl.image"),
            image("spec.kafkaExporter.image"),
        ),
    ),
    Kind(
        _STRIMZI,
        "KafkaConnect",
        (image("spec.image"), image("spec.build.output.image", when=("type", "docker"))),
    ),
    *kinds(_STRIMZI, ("KafkaMirrorMaker2", "KafkaMirrorMaker", "KafkaBridge"), image("spec.image")),
]
