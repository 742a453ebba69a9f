/* JSON output helpers */
typedef int dcs_json_placeholder;
