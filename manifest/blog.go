package manifest

// readBlogAliases reads the blog's older form into the same manifest:
// `[config] bind` and `access_log`, `[[ships]]`, `[[bays]]`, `[[plugins]]` and `[flagship]`.
func readBlogAliases(root *table, m *Manifest, tmpl templates) {
	used := false
	if ct := root.sub("config"); ct != nil {
		used = true
		if v, ok := ct.get("bind"); ok {
			if hasBind(m, "http") {
				root.r.errorf(ct.key("bind"), "[config] bind names the bind \"http\", which [mothership.bind] declares too")
			} else {
				m.Mothership.Binds = append([]*Bind{readBind(ct, "http", v)}, m.Mothership.Binds...)
				m.Mothership.Binds[0].Name = "http"
			}
		}
		if ct.has("access_log") {
			if m.Mothership.AccessLog.Pos.Key != "" {
				root.r.errorf(ct.key("access_log"), "[config] access_log and [mothership] access_log both set the access log; keep one")
			}
			m.Mothership.AccessLog = readAccessLog(ct)
		}
		ct.finish()
	}
	for _, t := range root.tables("ships") {
		used = true
		m.Ships = append(m.Ships, readShip(t, "default", tmpl.ship))
	}
	if v, ok := root.m["bays"]; ok && isArray(v) {
		used = true
		for _, t := range root.tableList("bays", v) {
			m.Bays = append(m.Bays, readBay(t, "websocket", tmpl.bay))
		}
		root.known = append(root.known, "bays")
	}
	for _, t := range root.tables("plugins") {
		used = true
		m.Modules = append(m.Modules, readModule(t, "path", tmpl.module))
	}
	if ft := root.sub("flagship"); ft != nil {
		used = true
		if m.Mothership.Flagship.Enabled {
			root.r.errorf(ft.path, "[flagship] and [mothership.flagship] both configure the flagship; keep one")
		}
		m.Mothership.Flagship = readFlagship(ft, true)
	}
	if used {
		m.Dialect = DialectBlog
	}
}

func hasBind(m *Manifest, name string) bool {
	for _, b := range m.Mothership.Binds {
		if b.Name == name {
			return true
		}
	}
	return false
}

func isArray(v any) bool {
	switch v.(type) {
	case []any, []map[string]any:
		return true
	}
	return false
}
