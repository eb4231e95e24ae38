// Package printers builds the meta.k8s.io/v1 Table that kube-apiserver returns
// when kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io`.
//
// It owns, for the resources kubesim serves, kube-apiserver's column
// definitions (name, type, format, description, priority), the cell text and
// JSON type of every cell, row conditions, the Table's list metadata and the
// includeObject handling (PartialObjectMetadata / full object / none), and the
// per-release differences between Kubernetes v1.27 and v1.33 (pod STATUS and
// RESTARTS with sidecars, Job STATUS, CronJob TIMEZONE, ...). Resources
// without a printer get DefaultTable (Name / Created At), as upstream.
//
// Upstream behaviour is the spec: kubernetes pkg/printers/internalversion
// (printers.go), pkg/printers/tablegenerator.go, apiserver
// pkg/endpoints/handlers/response.go (asTable) and pkg/registry/rest/table.go,
// as summarised in /work/shared/reference/apiserver-tables.md. The code here
// is written from those descriptions, not copied.
//
// Like kube-apiserver's TableConvertor, every Table is generated "wide": all
// columns, priority 1 included, are in columnDefinitions and every row has a
// cell for each of them. kubectl hides priority-1 columns unless `-o wide`.
//
// Using it from the API server:
//
//	list:        Table(gr, items, list.ListMeta, Options{Now: clock.Now(), Version: v, IncludeObject: q.Get("includeObject")})
//	get one:     Table(gr, []runtime.Object{obj}, metav1.ListMeta{}, opts)   // Table carries obj's resourceVersion
//	watch event: same as get one, with NoHeaders true for every event after the first
//	no printer:  if !Supported(gr) use DefaultTable(items, listMeta, opts)
//
// then encode the *metav1.Table with encoding/json's Encoder (kind Table,
// apiVersion meta.k8s.io/v1 are set). An unknown includeObject value returns
// the upstream 400 BadRequest as an apierrors.StatusError.
//
// What it must not do: read the wall clock (ages use Options.Now, the virtual
// clock), mutate the objects it is given (rows share metadata maps with them
// until the Table is encoded), talk to the store, or encode HTTP responses
// (the API server encodes the returned *metav1.Table with encoding/json).
package printers
