//! The file store contract suite against a local directory, and against the S3-compatible
//! endpoint in `S3_TEST_ENDPOINT` (skipped loudly without it; the test script starts one).

use std::sync::Arc;

use stackrush_files_object_store::{ObjectFiles, S3Config};

#[tokio::test]
async fn a_local_directory_passes_the_file_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let files = ObjectFiles::local(&dir.path().join("files")).unwrap();
    stackrush_files::contract::run_all(Arc::new(files), "run").await;
}

#[tokio::test]
async fn an_s3_bucket_passes_the_file_store_contract() {
    let Ok(endpoint) = std::env::var("S3_TEST_ENDPOINT") else {
        eprintln!("SKIPPED: S3 file store contract suite (S3_TEST_ENDPOINT is not set)");
        return;
    };
    let bucket = std::env::var("S3_TEST_BUCKET").unwrap_or_else(|_| "stackrush-test".into());
    let files = ObjectFiles::s3(&S3Config {
        bucket: bucket.clone(),
        region: "us-east-1".into(),
        endpoint: Some(endpoint.clone()),
    })
    .unwrap();
    let run = format!("run{}", rand::random::<u32>());
    let files = Arc::new(files);
    stackrush_files::contract::run_all(files.clone(), &run).await;

    // Objects carry their media type, for readers of the bucket itself.
    let key = stackrush_files::FileKey::parse(&format!("{run}/typed.webp")).unwrap();
    stackrush_files::FileStore::put(files.as_ref(), &key, b"RIFF0000WEBP".to_vec())
        .await
        .unwrap();
    let raw = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(&bucket)
        .with_region("us-east-1")
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .build()
        .unwrap();
    let object = object_store::ObjectStore::get(&raw, &key.as_str().into())
        .await
        .unwrap();
    let content_type = object.attributes.get(&object_store::Attribute::ContentType);
    assert_eq!(content_type.map(|v| v.as_ref()), Some("image/webp"));
}
