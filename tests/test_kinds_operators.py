"""Operators' custom resources: database, monitoring, chaos, data processing, packages, builds;
and the older API versions of Kubernetes' own kinds.

The manifests are shortened from each project's own examples (the URL above each)."""

from __future__ import annotations

from imagelint.kube.objects import iter_objects
from imagelint.reading.loader import load
from imagelint.running.records import pod_record
from tests.test_kinds import found, known, uses


def test_cloudnative_pg_cluster_catalog_and_pooler():
    # https://github.com/cloudnative-pg/cloudnative-pg/blob/main/docs/src/samples/cluster-example.yaml
    cluster = "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: cluster-example}\nspec:\n  instances: 3\n  imageName: ghcr.io/cloudnative-pg/postgresql:16.3\n  imagePullSecrets: [{name: cnpg-pull}]\n"
    assert found(cluster) == [("ghcr.io/cloudnative-pg/postgresql:16.3", None, "spec.imageName")]
    assert known(cluster) == [False]  # the operator adds its own pull secret to the pods
    # https://cloudnative-pg.io/documentation/current/image_catalog/
    catalog = "apiVersion: postgresql.cnpg.io/v1\nkind: ClusterImageCatalog\nmetadata: {name: postgresql}\nspec:\n  images:\n    - {major: 15, image: ghcr.io/cloudnative-pg/postgresql:15.6}\n    - {major: 16, image: ghcr.io/cloudnative-pg/postgresql:16.3}\n"
    assert [field for _, _, field in found(catalog)] == [
        "spec.images[0].image",
        "spec.images[1].image",
    ]
    # https://cloudnative-pg.io/documentation/current/connection_pooling/#pod-templates
    pooler = "apiVersion: postgresql.cnpg.io/v1\nkind: Pooler\nmetadata: {name: pooler-example-rw}\nspec:\n  cluster: {name: cluster-example}\n  template:\n    spec:\n      containers:\n        - {name: pgbouncer, image: my-pgbouncer:latest}\n        - {name: sidecar, resources: {}}\n"
    assert found(pooler) == [
        ("my-pgbouncer:latest", "pgbouncer", "spec.template.spec.containers[0].image")
    ]
    assert known(pooler) == [True]


# https://github.com/prometheus-operator/kube-prometheus/blob/main/manifests/prometheus-prometheus.yaml
PROMETHEUS = """
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec:
  image: quay.io/prometheus/prometheus:v2.54.1
  imagePullSecrets: [{name: quay-pull}]
  nodeSelector: {kubernetes.io/os: linux}
  serviceAccountName: prometheus-k8s
  containers:
    - {name: prometheus, args: [--log.level=debug]}
    - {name: oauth-proxy, image: quay.io/oauth2-proxy/oauth2-proxy:v7.6.0}
  thanos: {image: quay.io/thanos/thanos:v0.36.1}
"""


def test_prometheus_image_containers_and_pod_level_fields():
    assert found(PROMETHEUS) == [
        ("quay.io/oauth2-proxy/oauth2-proxy:v7.6.0", "oauth-proxy", "spec.containers[1].image"),
        ("quay.io/prometheus/prometheus:v2.54.1", None, "spec.image"),
        ("quay.io/thanos/thanos:v0.36.1", "thanos", "spec.thanos.image"),
    ]
    loaded = load("x", PROMETHEUS)
    obj = next(iter_objects(loaded, "default", []))
    for use in uses(PROMETHEUS):
        record = pod_record(loaded, use.pod)
        assert [ref.name for ref in record.pull_secrets] == ["quay-pull"]
        assert (record.service_account, record.node_os) == ("prometheus-k8s", ("linux",))
    assert obj.kind == "Prometheus"
    # https://github.com/prometheus-operator/prometheus-operator/blob/main/example/user-guides/alerting/alertmanager-example.yaml
    alertmanager = "apiVersion: monitoring.coreos.com/v1\nkind: Alertmanager\nmetadata: {name: example}\nspec: {replicas: 3, image: quay.io/prometheus/alertmanager:v0.27.0}\n"
    assert found(alertmanager) == [("quay.io/prometheus/alertmanager:v0.27.0", None, "spec.image")]
    assert known(alertmanager) == [True]


def test_litmus_chaos_experiment():
    # https://github.com/litmuschaos/chaos-charts/blob/master/faults/kubernetes/pod-delete/fault.yaml
    text = 'apiVersion: litmuschaos.io/v1alpha1\nkind: ChaosExperiment\nmetadata: {name: pod-delete}\nspec:\n  definition:\n    scope: Namespaced\n    image: "litmuschaos.docker.scarf.sh/litmuschaos/go-runner:latest"\n    command: [/bin/bash]\n'
    assert found(text) == [
        (
            "litmuschaos.docker.scarf.sh/litmuschaos/go-runner:latest",
            "definition",
            "spec.definition.image",
        )
    ]
    assert known(text) == [False]


def test_older_api_versions_of_kubernetes_kinds():
    # Job under extensions/v1beta1 (Kubernetes 1.2 to 1.7), ScheduledJob (batch/v2alpha1, 1.4),
    # PetSet (apps/v1alpha1, 1.3)
    job = "apiVersion: extensions/v1beta1\nkind: Job\nmetadata: {name: pi}\nspec:\n  template:\n    spec: {containers: [{name: pi, image: perl}], restartPolicy: Never}\n"
    assert found(job) == [("perl", "pi", "spec.template.spec.containers[0].image")]
    scheduled = "apiVersion: batch/v2alpha1\nkind: ScheduledJob\nmetadata: {name: hello}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec: {containers: [{name: hello, image: busybox}]}\n"
    assert found(scheduled) == [
        ("busybox", "hello", "spec.jobTemplate.spec.template.spec.containers[0].image")
    ]
    # a container without an image in Kubernetes' own kinds is still a finding (strict)
    missing = "apiVersion: extensions/v1beta1\nkind: Job\nmetadata: {name: pi}\nspec: {template: {spec: {containers: [{name: pi}]}}}\n"
    assert found(missing) == [(None, "pi", "spec.template.spec.containers[0].image")]


def test_spark_and_flink():
    # https://github.com/kubeflow/spark-operator/blob/master/examples/spark-pi.yaml
    spark = "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata: {name: spark-pi}\nspec:\n  type: Scala\n  image: spark:3.5.1\n  driver:\n    serviceAccount: spark-operator-spark\n    sidecars: [{name: logs, image: fluent/fluent-bit:3.0}]\n  executor: {instances: 1, image: spark:3.5.1-java17}\n"
    assert found(spark) == [
        ("spark:3.5.1", None, "spec.image"),
        ("fluent/fluent-bit:3.0", "logs", "spec.driver.sidecars[0].image"),
        ("spark:3.5.1-java17", "executor", "spec.executor.image"),
    ]
    assert known(spark) == [False, False, False]
    # https://github.com/apache/flink-kubernetes-operator/blob/main/examples/pod-template.yaml
    flink = "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata: {name: pod-template-example}\nspec:\n  image: flink:1.17\n  podTemplate:\n    spec:\n      containers:\n        - name: flink-main-container\n          volumeMounts: [{mountPath: /opt/flink/log, name: flink-logs}]\n        - {name: fluentbit, image: fluent/fluent-bit:1.9.6-debug}\n"
    assert found(flink) == [
        ("flink:1.17", None, "spec.image"),
        ("fluent/fluent-bit:1.9.6-debug", "fluentbit", "spec.podTemplate.spec.containers[1].image"),
    ]
    assert known(flink) == [False, True]


def test_keda_knative_eventing_crossplane():
    # https://keda.sh/docs/2.16/reference/scaledjob-spec/
    keda = "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: s}\nspec:\n  jobTargetRef:\n    template:\n      spec: {containers: [{name: demo-rabbitmq-client, image: demo-rabbitmq-client:1}]}\n"
    assert found(keda) == [
        (
            "demo-rabbitmq-client:1",
            "demo-rabbitmq-client",
            "spec.jobTargetRef.template.spec.containers[0].image",
        )
    ]
    # https://knative.dev/docs/eventing/sources/containersource/
    source = "apiVersion: sources.knative.dev/v1\nkind: ContainerSource\nmetadata: {name: test-heartbeats}\nspec:\n  template:\n    spec:\n      containers: [{name: heartbeats, image: gcr.io/knative-nightly/knative.dev/eventing/cmd/heartbeats}]\n"
    assert [f for _, _, f in found(source)] == ["spec.template.spec.containers[0].image"]
    # https://docs.crossplane.io/latest/packages/providers/
    provider = "apiVersion: pkg.crossplane.io/v1\nkind: Provider\nmetadata: {name: provider-aws}\nspec:\n  package: xpkg.upbound.io/crossplane-contrib/provider-aws:v0.39.0\n"
    assert found(provider) == [
        ("xpkg.upbound.io/crossplane-contrib/provider-aws:v0.39.0", None, "spec.package")
    ]
    function = provider.replace("kind: Provider", "kind: Function")
    assert known(function) == [False]


def test_openshift_build_config_and_strimzi():
    # https://docs.openshift.com/container-platform/4.14/cicd/builds/build-strategies.html
    build = "apiVersion: build.openshift.io/v1\nkind: BuildConfig\nmetadata: {name: b}\nspec:\n  strategy:\n    dockerStrategy:\n      from: {kind: DockerImage, name: registry.access.redhat.com/ubi9/ubi:latest}\n  output:\n    to: {kind: ImageStreamTag, name: 'app:latest'}\n"
    assert found(build) == [
        (
            "registry.access.redhat.com/ubi9/ubi:latest",
            "from",
            "spec.strategy.dockerStrategy.from.name",
        )
    ]
    # https://strimzi.io/docs/operators/latest/deploying#creating-new-image-using-kafka-connect-build-str
    connect = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaConnect\nmetadata: {name: my-connect}\nspec:\n  build:\n    output: {type: docker, image: my-registry.io/my-org/my-connect-cluster:latest, pushSecret: my-registry-credentials}\n"
    assert found(connect) == [
        ("my-registry.io/my-org/my-connect-cluster:latest", "output", "spec.build.output.image")
    ]
    imagestream = connect.replace(
        "type: docker, image: my-registry.io/my-org/my-connect-cluster:latest",
        "type: imagestream, image: my-connect-build:latest",
    )
    assert found(imagestream) == []
    # https://github.com/strimzi/strimzi-kafka-operator/blob/main/packaging/examples/kafka/kafka-persistent.yaml
    kafka = "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata: {name: my-cluster}\nspec:\n  kafka: {version: 3.8.0, image: quay.io/strimzi/kafka:0.43.0-kafka-3.8.0}\n  entityOperator:\n    topicOperator: {image: quay.io/strimzi/operator:0.43.0}\n"
    assert [f for _, _, f in found(kafka)] == [
        "spec.kafka.image",
        "spec.entityOperator.topicOperator.image",
    ]


def test_list_items_carry_their_path():
    text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: tekton.dev/v1\n    kind: Task\n    metadata: {name: t}\n    spec: {steps: [{name: s, image: alpine:3.19}]}\n"
    assert found(text) == [("alpine:3.19", "s", "items[0].spec.steps[0].image")]


def test_kserve_inference_service():
    # https://github.com/kserve/kserve/blob/master/docs/samples/v1beta1/tensorflow/versioning.yaml
    text = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: flower-sample}\nspec:\n  predictor:\n    imagePullSecrets: [{name: kserve-pull}]\n    tensorflow: {storageUri: 'gs://kfserving-examples/models/tensorflow/flowers', image: tensorflow/serving:v1.14}\n  transformer:\n    containers: [{name: kserve-container, image: kserve/image-transformer:latest}]\n"
    assert found(text) == [
        ("tensorflow/serving:v1.14", None, "spec.predictor.tensorflow.image"),
        (
            "kserve/image-transformer:latest",
            "kserve-container",
            "spec.transformer.containers[0].image",
        ),
    ]
    assert known(text) == [True, True]


def test_argo_events_sensor_trigger_resources():
    # https://github.com/argoproj/argo-events/blob/master/examples/tutorials/04-standard-k8s-resources/sensor-pod.yaml
    text = "apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: webhook}\nspec:\n  triggers:\n    - template:\n        name: pod-trigger\n        k8s:\n          operation: create\n          source:\n            resource:\n              apiVersion: v1\n              kind: Pod\n              spec: {containers: [{name: hello, image: busybox}]}\n"
    assert found(text) == [
        (
            "busybox",
            "hello",
            "spec.triggers[0].template.k8s.source.resource.spec.containers[0].image",
        )
    ]


def test_tekton_pipelines_in_pipelines_and_cnpg_component_images():
    # https://github.com/tektoncd/pipeline/blob/main/examples/v1/pipelineruns/alpha/pipelines-in-pipelines.yaml
    text = "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  tasks:\n    - name: inner\n      pipelineSpec:\n        tasks: [{name: t, taskSpec: {steps: [{name: s, image: mirror.gcr.io/busybox}]}}]\n"
    assert [f for _, _, f in found(text)] == [
        "spec.tasks[0].pipelineSpec.tasks[0].taskSpec.steps[0].image"
    ]
    # https://github.com/cloudnative-pg/cloudnative-pg/blob/main/docs/src/samples/pooler-example-image-catalog.yaml
    catalog = "apiVersion: postgresql.cnpg.io/v1\nkind: ImageCatalog\nmetadata: {name: c}\nspec:\n  images: [{major: 17, image: ghcr.io/cloudnative-pg/postgresql:17.6}]\n  componentImages: [{name: pgbouncer, image: ghcr.io/cloudnative-pg/pgbouncer:1.25.1}]\n"
    assert [f for _, _, f in found(catalog)] == [
        "spec.images[0].image",
        "spec.componentImages[0].image",
    ]
